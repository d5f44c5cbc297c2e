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
            required property var modelData
            width: ListView.view.width
            height: Math.max(summary.implicitHeight, ackButton.visible ? Theme.touch : 0, ackNote.implicitHeight) + 2 * Theme.gap
            color: Theme.panel
            radius: 6
            RowLayout {
                anchors.fill: parent
                anchors.margins: Theme.gap
                anchors.leftMargin: Theme.pad
                spacing: Theme.gap
                KText {
                    id: summary
                    objectName: "noticeSummary_" + modelData.noticeId
                    Layout.fillWidth: true
                    Layout.preferredWidth: 3
                    font.pixelSize: Theme.small
                    text: modelData.at + "  " + modelData.summary
                }
                KButton {
                    id: ackButton
                    objectName: "ack_" + modelData.noticeId
                    visible: Admin.role === "supervisor"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.fillHeight: true
                    fontSize: Theme.small
                    primary: true
                    text: qsTr("Acknowledge")
                    onClicked: Admin.ack(modelData.noticeId)
                }
                KText {
                    id: ackNote
                    visible: Admin.role !== "supervisor"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    font.pixelSize: Theme.small
                    color: Theme.muted
                    text: qsTr("A supervisor acknowledges this.")
                }
            }
        }
    }
}
