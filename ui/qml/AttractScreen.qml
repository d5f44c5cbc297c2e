import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// The provider board while nobody is checking in. A touch anywhere starts.
Item {
    id: screen
    objectName: "screen_attract"

    function statusWords(kind, delay, leavingAt) {
        if (kind === "late") return qsTr("Running %1 min late").arg(delay)
        if (kind === "leaving_early") return qsTr("Leaves early at %1").arg(leavingAt)
        if (kind === "out") return qsTr("Out today")
        return qsTr("On time")
    }
    function statusColor(kind) {
        return kind === "out" ? Theme.bad : kind === "on_time" ? Theme.good : Theme.warn
    }

    MouseArea {
        objectName: "attractTouchArea"
        anchors.fill: parent
        onClicked: Flow.wake()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.pad

            // Who is here and when: the face, a greeting, the time.
            Item {
                id: presence
                Layout.fillHeight: true
                // Narrower on a short screen, so the board's statuses stay on one line.
                readonly property real share: Theme.compact ? 0.25 : 0.3
                Layout.preferredWidth: Math.round(screen.width * share)
                Layout.maximumWidth: Math.round(screen.width * share)
                Column {
                    width: presence.width
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: Theme.gap / 2
                    Receptionist {
                        anchors.horizontalCenter: parent.horizontalCenter
                        size: Math.max(Theme.touch, Math.min(presence.width,
                                       presence.height - greet.height - clock.height - Theme.gap))
                    }
                    Greeting {
                        id: greet
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.body
                    }
                    KText {
                        id: clock
                        objectName: "clockText"
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.huge
                        font.bold: true
                        text: Face.time
                    }
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: Theme.gap

                KText {
                    Layout.fillWidth: true
                    font.pixelSize: Theme.title
                    font.bold: true
                    text: qsTr("Providers today")
                }
                Column {
                    id: providerBoard
                    objectName: "providerBoard"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    spacing: Theme.gap / 2
                    clip: true
                    Repeater {
                        model: Board
                        delegate: Rectangle {
                            required property string name
                            required property string status
                            required property int delayMin
                            required property string leavingAt
                            width: parent.width
                            // Rows share the board's height (up to two touch targets each): no empty band below.
                            height: Math.max(row.implicitHeight + Theme.gap,
                                             Math.min(2 * Theme.touch, providerBoard.height / Math.max(1, Board.count) - Theme.gap / 2))
                            color: Theme.panel
                            radius: 6
                            RowLayout {
                                id: row
                                anchors.verticalCenter: parent.verticalCenter
                                anchors.left: parent.left
                                anchors.right: parent.right
                                anchors.leftMargin: Theme.pad
                                anchors.rightMargin: Theme.pad
                                KText {
                                    Layout.fillWidth: true
                                    Layout.preferredWidth: 1
                                    text: name
                                }
                                KText {
                                    objectName: "status_" + name
                                    Layout.fillWidth: true
                                    Layout.preferredWidth: 1
                                    horizontalAlignment: Text.AlignRight
                                    font.bold: true
                                    color: screen.statusColor(status)
                                    text: screen.statusWords(status, delayMin, leavingAt)
                                }
                            }
                        }
                    }
                    KText {
                        visible: Board.count === 0
                        width: parent.width
                        color: Theme.muted
                        text: qsTr("The schedule has not arrived yet.")
                    }
                }
                KText {
                    objectName: "staleNote"
                    visible: Board.stale && Board.count > 0
                    Layout.fillWidth: true
                    font.pixelSize: Theme.small
                    color: Theme.warn
                    text: Board.never ? qsTr("The schedule may be out of date. Please ask the front desk about wait times.")
                                      : qsTr("Schedule last updated %1 minutes ago. Please ask the front desk about wait times.").arg(Board.ageMin)
                }
            }
        }
        KButton {
            objectName: "startButton"
            Layout.fillWidth: true
            primary: true
            text: qsTr("Touch here to check in")
            onClicked: Flow.wake()
        }
    }
}
