import QtQuick
import Kiosk 1.0

// "Good morning" / "Good afternoon" / "Good evening", from the kiosk's clock.
KText {
    objectName: "greeting"
    font.bold: true
    color: Theme.accent
    text: Face.greeting === "morning" ? qsTr("Good morning")
        : Face.greeting === "afternoon" ? qsTr("Good afternoon")
        : qsTr("Good evening")
}
