import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// The changes sent this session: waiting, applied or rejected (with the hub's reason),
// and which kiosks already show the new status.
Item {
    id: screen
    objectName: "screen_admin_requests"

    AdminWords { id: words }

    function outcome(status) {
        if (status === "applied") return qsTr("Applied by the hub")
        if (status === "rejected") return qsTr("Rejected by the hub")
        return qsTr("Waiting for the hub")
    }

    KText {
        objectName: "noRequests"
        visible: Admin.requests.length === 0
        width: parent.width
        color: Theme.muted
        text: qsTr("No changes sent yet.")
    }

    ListView {
        objectName: "adminRequestList"
        anchors.fill: parent
        clip: true
        cacheBuffer: 0
        spacing: Theme.gap
        boundsBehavior: Flickable.StopAtBounds
        model: Admin.requests
        delegate: Rectangle {
            required property var modelData
            required property int index
            width: ListView.view.width
            height: lines.implicitHeight + 2 * Theme.pad
            color: Theme.panel
            radius: 6
            Column {
                id: lines
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.pad
                spacing: 2
                KText {
                    width: parent.width
                    font.pixelSize: Theme.small
                    font.bold: true
                    text: words.change(modelData.state, modelData.providerName, modelData.delayMin, modelData.leavingAt)
                }
                KText {
                    objectName: "requestStatus_" + index
                    width: parent.width
                    font.pixelSize: Theme.small
                    color: modelData.status === "applied" ? Theme.good : modelData.status === "rejected" ? Theme.bad : Theme.warn
                    text: modelData.status === "rejected" && modelData.reason !== ""
                          ? qsTr("%1: %2").arg(screen.outcome(modelData.status)).arg(modelData.reason)
                          : screen.outcome(modelData.status)
                }
                KText {
                    objectName: "requestDisplayed_" + index
                    visible: modelData.status === "applied"
                    width: parent.width
                    font.pixelSize: Theme.small
                    color: Theme.muted
                    text: modelData.displayedBy !== "" ? qsTr("Shown on: %1").arg(modelData.displayedBy)
                                                       : qsTr("Not shown on any kiosk yet")
                }
                KText {
                    objectName: "requestWaiting_" + index
                    visible: modelData.status === "applied" && modelData.waitingFor !== ""
                    width: parent.width
                    font.pixelSize: Theme.small
                    color: Theme.warn
                    text: qsTr("Not yet shown on: %1").arg(modelData.waitingFor)
                }
            }
        }
    }
}
