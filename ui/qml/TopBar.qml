import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

Rectangle {
    id: bar
    // The screen below keeps a 2 mm gap from these buttons (Main.qml).
    implicitHeight: Math.max(Theme.touch, row.implicitHeight) + Theme.edge
    // A keypad that needs every row of a short screen (the code's 33 keys) has its Back
    // here (Main.qml sets it from the screen).
    property bool keypadBack: false
    color: Theme.bg

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.edge
        anchors.bottomMargin: 0
        spacing: Theme.gap

        Receptionist {
            objectName: "barFace"
            // The attract screen shows it large, and so does welcome on a tall screen.
            visible: Flow.screen !== "attract" && !(Flow.screen === "welcome" && !Theme.compact)
            size: Theme.touch
        }
        KButton {
            objectName: bar.keypadBack ? "backButton" : ""
            visible: bar.keypadBack
            Layout.preferredWidth: Math.round(Theme.touch * 1.9)
            Layout.fillHeight: true
            text: qsTr("Back")
            onClicked: Flow.back()
        }
        Item {  // keeps the buttons to the right when the name gives way
            visible: !practiceName.visible
            Layout.fillWidth: true
        }
        Text {
            id: practiceName
            objectName: "practiceName"
            // Large text on a 7" panel: the buttons need the bar, the name gives way.
            visible: !bar.keypadBack && !(Theme.compact && Flow.largeText)
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Never taller than the buttons: the bar's height must not follow the name, or a
            // keypad that moves its Back here would change the room it had to decide that in.
            Layout.maximumHeight: Theme.touch
            text: Flow.practiceName
            color: Theme.muted
            font.family: Theme.font
            // The small size on a 7" panel, beside the face and four buttons (never smaller).
            font.pixelSize: Theme.compact ? Theme.small : Theme.body
            font.bold: true
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
            maximumLineCount: 3
            fontSizeMode: Text.Fit
            minimumPixelSize: Theme.minimumFont
            lineHeight: 0.85  // three lines of the small size in a 15 mm bar
        }
        KButton {
            objectName: "languageButton"
            Layout.preferredWidth: Math.max(Math.round(Theme.touch * 1.9), implicitWidth)
            fontSize: Theme.body
            text: Flow.language === "en" ? "Español" : "English"
            onClicked: Flow.setLanguage(Flow.language === "en" ? "es" : "en")
        }
        KButton {
            objectName: "textSizeButton"
            Layout.preferredWidth: Math.max(Theme.touch, implicitWidth)
            fontSize: Theme.body
            text: Flow.largeText ? "A\u2212" : "A+"
            onClicked: Flow.toggleLargeText()
        }
        KButton {
            objectName: "callStaffButton"
            Layout.preferredWidth: Math.max(Math.round(Theme.touch * 2.6), implicitWidth)  // wraps if it must
            fontSize: Theme.body
            primary: !Flow.staffCalled
            text: Flow.staffCalled ? qsTr("Help is coming") : qsTr("Call staff")
            onClicked: Flow.callStaff()
        }
    }
}
