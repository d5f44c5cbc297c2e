import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// First name, last initial, time and provider: never more.
Item {
    objectName: "screen_confirm"

    implicitHeight: column.implicitHeight  // more than fits: the window scrolls

    ColumnLayout {
        id: column
        anchors.fill: parent
        spacing: Theme.gap

        KText {
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            text: qsTr("Is this you?")
        }
        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: who.implicitHeight + 2 * Theme.pad
            color: Theme.panel
            radius: 8
            Column {
                id: who
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.pad
                spacing: Theme.gap / 2
                KText {
                    objectName: "patientName"
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    font.pixelSize: Theme.huge
                    font.bold: true
                    text: Flow.firstName + " " + Flow.lastInitial + "."
                }
                KText {
                    objectName: "appointmentLine"
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    text: qsTr("Appointment at %1 with %2").arg(Flow.apptTime).arg(Flow.providerName)
                }
            }
        }
        StaleNote { Layout.fillWidth: true }
        Item { Layout.fillHeight: true }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "noButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("No, that is not me")
                onClicked: Flow.confirm(false)
            }
            KButton {
                objectName: "yesButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                primary: true
                text: qsTr("Yes, check me in")
                onClicked: Flow.confirm(true)
            }
        }
    }
}
