import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

Item {
    objectName: "screen_welcome"

    implicitHeight: column.implicitHeight  // more than fits: the window scrolls

    ColumnLayout {
        id: column
        anchors.fill: parent
        spacing: Theme.gap

        Greeting {
            Layout.fillWidth: true
            font.pixelSize: Theme.body
        }
        KText {
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            text: qsTr("Welcome! How would you like to check in?")
        }
        GridLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.maximumHeight: columns === 1 ? -1 : Theme.touch * 2
            // Side by side; one under the other when large text on a 7" panel needs the width.
            columns: Theme.compact && Flow.largeText ? 1 : 2
            rowSpacing: Theme.gap
            columnSpacing: Theme.gap
            KButton {
                objectName: "dobButton"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 1
                primary: true
                text: qsTr("With my date of birth")
                onClicked: Flow.start("dob")
            }
            KButton {
                objectName: "codeButton"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 1
                primary: true
                text: qsTr("With my confirmation code")
                onClicked: Flow.start("code")
            }
        }
        KText {
            Layout.fillWidth: true
            color: Theme.muted
            font.pixelSize: Theme.small
            text: qsTr("Have a QR code from your reminder? Hold it up to the camera.")
        }
        // On a tall screen the face greets from the free space (a short one shows it in the bar).
        Item {
            id: filler
            Layout.fillWidth: true
            Layout.fillHeight: true
            Receptionist {
                objectName: "welcomeFace"
                visible: !Theme.compact
                anchors.centerIn: parent
                size: Math.max(Theme.touch, filler.height)
            }
        }
        KButton {
            objectName: "cancelButton"
            Layout.preferredWidth: Theme.touch * 3
            text: qsTr("Cancel")
            onClicked: Flow.finish()
        }
    }
}
