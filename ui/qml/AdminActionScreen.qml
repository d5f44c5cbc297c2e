import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// The details of a change: how late (±5 and presets), why out, leaving at what time.
Item {
    id: screen
    objectName: "screen_admin_action"
    readonly property string kind: Admin.draftState

    AdminWords { id: words }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        KText {
            objectName: "actionTitle"
            Layout.fillWidth: true
            font.pixelSize: Theme.body
            font.bold: true
            text: words.change(screen.kind, Admin.draftName, Admin.delayMin, Admin.leavingAt)
        }

        // Running late: minutes.
        RowLayout {
            visible: screen.kind === "late"
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "lateMinus"
                Layout.preferredWidth: Math.round(Theme.touch * 1.6)
                text: "\u22125"
                onClicked: Admin.adjustLate(-5)
            }
            KText {
                objectName: "lateValue"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                font.pixelSize: Theme.title
                font.bold: true
                text: qsTr("%1 min").arg(Admin.delayMin)
            }
            KButton {
                objectName: "latePlus"
                Layout.preferredWidth: Math.round(Theme.touch * 1.6)
                text: "+5"
                onClicked: Admin.adjustLate(5)
            }
        }
        RowLayout {
            visible: screen.kind === "late"
            Layout.fillWidth: true
            spacing: Theme.gap
            Repeater {
                model: Admin.latePresets
                delegate: KButton {
                    required property int modelData
                    objectName: "preset_" + modelData
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    primary: Admin.delayMin === modelData
                    fontSize: Theme.small
                    text: qsTr("%1 min").arg(modelData)
                    onClicked: Admin.setLate(modelData)
                }
            }
        }

        // Out today: why.
        KText {
            visible: screen.kind === "out"
            Layout.fillWidth: true
            font.pixelSize: Theme.small
            color: Theme.muted
            text: qsTr("Why is the provider out?")
        }
        RowLayout {
            visible: screen.kind === "out"
            Layout.fillWidth: true
            spacing: Theme.gap
            Repeater {
                model: [["sick", qsTr("Sick")], ["emergency", qsTr("Emergency")], ["other", qsTr("Other")]]
                delegate: KButton {
                    required property var modelData
                    objectName: "reason_" + modelData[0]
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    primary: Admin.reason === modelData[0]
                    text: modelData[1]
                    onClicked: Admin.setReason(modelData[0])
                }
            }
        }

        // Leaving early: at what time (quarter hours).
        RowLayout {
            visible: screen.kind === "leaving_early"
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "leaveMinusHour"
                Layout.preferredWidth: Math.round(Theme.touch * 1.3)
                fontSize: Theme.small
                text: "\u22121 h"
                onClicked: Admin.adjustLeaving(-60)
            }
            KButton {
                objectName: "leaveMinus"
                Layout.preferredWidth: Math.round(Theme.touch * 1.3)
                fontSize: Theme.small
                text: "\u221215"
                onClicked: Admin.adjustLeaving(-15)
            }
            KText {
                objectName: "leavingValue"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                font.pixelSize: Theme.title
                font.bold: true
                text: Admin.leavingAt
            }
            KButton {
                objectName: "leavePlus"
                Layout.preferredWidth: Math.round(Theme.touch * 1.3)
                fontSize: Theme.small
                text: "+15"
                onClicked: Admin.adjustLeaving(15)
            }
            KButton {
                objectName: "leavePlusHour"
                Layout.preferredWidth: Math.round(Theme.touch * 1.3)
                fontSize: Theme.small
                text: "+1 h"
                onClicked: Admin.adjustLeaving(60)
            }
        }

        Item { Layout.fillHeight: true }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "actionBackButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Back")
                onClicked: Admin.back()
            }
            KButton {
                objectName: "reviewButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 2
                primary: true
                enabled: Admin.canReview
                text: qsTr("Review the change")
                onClicked: Admin.review()
            }
        }
    }
}
