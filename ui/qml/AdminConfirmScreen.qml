import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Before sending: what the change does to the day, and whether a supervisor must approve.
Item {
    id: screen
    objectName: "screen_admin_confirm"

    AdminWords { id: words }

    function note() {
        if (Admin.error === "not_sent") return qsTr("The change could not be saved. Try again, or call the technician.")
        if (Admin.needsApproval) return qsTr("A supervisor must approve this change.")
        if (!Admin.allowed) return qsTr("You may not make this change (%1).").arg(Admin.refusal)
        return ""
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        KText {
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            text: qsTr("Confirm the change")
        }
        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: impact.implicitHeight + 2 * Theme.pad
            color: Theme.panel
            radius: 8
            KText {
                id: impact
                objectName: "impactSentence"
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.pad
                function counted(n, one, many) { return (n === 1 ? one : many).arg(n) }
                text: words.change(Admin.draftState, Admin.draftName, Admin.delayMin, Admin.leavingAt) + ": "
                      + counted(Admin.affected, qsTr("%1 appointment affected"), qsTr("%1 appointments affected"))
                      + ", " + counted(Admin.checkedIn, qsTr("%1 patient already checked in"),
                                       qsTr("%1 patients already checked in"))
                      + ", " + qsTr("%1 on their way (arrival window open)").arg(Admin.onTheirWay)
            }
        }
        KText {
            objectName: "confirmNote"
            visible: text !== ""
            Layout.fillWidth: true
            font.pixelSize: Theme.small
            color: Admin.allowed && Admin.error === "" ? Theme.muted : Theme.warn
            text: screen.note()
        }
        Item { Layout.fillHeight: true }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "confirmBackButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Back")
                onClicked: Admin.back()
            }
            KButton {
                objectName: "sendButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 2
                primary: true
                enabled: Admin.allowed || Admin.needsApproval
                text: Admin.needsApproval ? qsTr("Supervisor approval") : qsTr("Send the change")
                onClicked: Admin.send()
            }
        }
    }
}
