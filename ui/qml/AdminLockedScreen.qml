import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Too many wrong PINs: the entry is locked for a while (the hub is told).
Item {
    id: screen
    objectName: "screen_admin_locked"

    function clock(seconds) {
        var m = Math.floor(seconds / 60)
        var s = seconds % 60
        return m + ":" + (s < 10 ? "0" : "") + s
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap
        KText {
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            color: Theme.accent
            text: qsTr("Staff sign-in is locked")
        }
        KText {
            objectName: "lockoutMessage"
            Layout.fillWidth: true
            text: qsTr("Too many wrong PINs. Try again in %1.").arg(screen.clock(Admin.lockSecondsLeft))
        }
        Item { Layout.fillHeight: true }
        KButton {
            objectName: "lockedCloseButton"
            Layout.fillWidth: true
            text: qsTr("Close")
            onClicked: Admin.close()
        }
    }
}
