import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Open supervisor notices (status changes supervisors must see); supervisors acknowledge.
Item {
    objectName: "screen_admin_notices"

    KText {
        objectName: "noNotices"
        visible: Admin.notices.length === 0
        width: parent.width
        color: Theme.muted
        text: qsTr("No open notices.")
    }

    ListView {
        objectName: "adminNoticeList"
        anchors.fill: parent
        clip: true
        cacheBuffer: 0
        spacing: Theme.gap
        boundsBehavior: Flickable.StopAtBounds
        model: Admin.notices
        delegate: Rectangle {
            id: row
            required property var modelData
            readonly property bool supervisor: Admin.role === "supervisor"
            width: ListView.view.width
            height: Math.max(summary.implicitHeight, side.height) + 2 * Theme.gap
            color: Theme.panel
            radius: 6
            KText {
                id: summary
                objectName: "noticeSummary_" + row.modelData.noticeId
                anchors.left: parent.left
                anchors.leftMargin: Theme.pad
                anchors.verticalCenter: parent.verticalCenter
                width: parent.width - side.width - 2 * Theme.pad - Theme.gap
                font.pixelSize: Theme.small
                text: row.modelData.at + "  " + row.modelData.summary
            }
            Item {
                id: side
                anchors.right: parent.right
                anchors.rightMargin: Theme.gap
                anchors.verticalCenter: parent.verticalCenter
                width: Math.round(parent.width * 0.28)
                height: row.supervisor ? Theme.touch : ackNote.implicitHeight
                KButton {
                    objectName: "ack_" + row.modelData.noticeId
                    visible: row.supervisor
                    anchors.fill: parent
                    fontSize: Theme.small
                    primary: true
                    text: qsTr("Acknowledge")
                    onClicked: Admin.ack(row.modelData.noticeId)
                }
                KText {
                    id: ackNote
                    visible: !row.supervisor
                    width: parent.width
                    font.pixelSize: Theme.small
                    color: Theme.muted
                    text: qsTr("A supervisor acknowledges this.")
                }
            }
        }
    }
}
