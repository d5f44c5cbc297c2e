import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// "Are you still there?": any touch keeps the patient's place; at zero the screen resets.
Rectangle {
    id: overlay
    objectName: "countdownOverlay"
    color: "#E6000000"

    MouseArea {
        anchors.fill: parent
        onClicked: Flow.touch()
    }

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 4 * Theme.pad, Theme.touch * 9)
        height: column.implicitHeight + 4 * Theme.pad
        color: Theme.panel
        border.color: Theme.accent
        border.width: 3
        radius: 12

        ColumnLayout {
            id: column
            anchors.fill: parent
            anchors.margins: 2 * Theme.pad
            spacing: Theme.gap
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                font.pixelSize: Theme.title
                font.bold: true
                text: qsTr("Are you still there?")
            }
            KText {
                objectName: "countdownText"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Starting over in %1 seconds.").arg(Flow.countdown)
            }
            KButton {
                objectName: "stillHereButton"
                Layout.fillWidth: true
                primary: true
                text: qsTr("I am still here")
                onClicked: Flow.touch()
            }
        }
    }
}
