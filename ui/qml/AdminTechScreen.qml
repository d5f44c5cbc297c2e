import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// The technician's view: devices, sync, the log tail (ids only, no patient data), and
// restarting the service or leaving to the desktop.
Item {
    id: screen
    objectName: "screen_admin_tech"
    readonly property var tech: Admin.tech

    function deviceState(state) {
        if (state === "ok") return qsTr("OK")
        if (state === "missing") return qsTr("missing")
        return qsTr("error")
    }
    function ageText(seconds) {
        if (seconds < 0) return qsTr("Cache: never in step with the hub")
        if (seconds === 0) return qsTr("Cache: current")
        return qsTr("Cache: %1 min old").arg(Math.floor(seconds / 60))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.gap

            // What a technician reads scrolls when it is more than the screen.
            Flickable {
                objectName: "techScroll"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 2
                clip: true
                contentHeight: techColumn.implicitHeight
                interactive: contentHeight > height
                boundsBehavior: Flickable.StopAtBounds
                Column {
                    id: techColumn
                    objectName: "techStatus"
                    width: parent.width
                    spacing: 2
                    KText {
                        width: parent.width
                        font.pixelSize: Theme.small
                        font.bold: true
                        text: qsTr("Devices")
                    }
                    Repeater {
                        model: screen.tech.devices || []
                        delegate: KText {
                            required property var modelData
                            objectName: "device_" + modelData.name
                            width: parent.width
                            font.pixelSize: Theme.small
                            color: modelData.state === "ok" ? Theme.good : Theme.bad
                            text: modelData.name + ": " + screen.deviceState(modelData.state)
                                  + (modelData.reason !== "" ? " (" + modelData.reason + ")" : "")
                        }
                    }
                    KText {
                        visible: (screen.tech.devices || []).length === 0
                        width: parent.width
                        font.pixelSize: Theme.small
                        color: Theme.muted
                        text: qsTr("No devices configured")
                    }
                    Item { width: 1; height: Theme.gap }
                    KText {
                        width: parent.width
                        font.pixelSize: Theme.small
                        font.bold: true
                        text: qsTr("Sync")
                    }
                    KText {
                        objectName: "syncConnected"
                        width: parent.width
                        font.pixelSize: Theme.small
                        color: screen.tech.connected ? Theme.good : Theme.bad
                        text: !screen.tech.syncAnswers ? qsTr("Sync loop not answering")
                              : screen.tech.connected ? qsTr("Broker: connected") : qsTr("Broker: not connected")
                    }
                    KText {
                        objectName: "syncLive"
                        visible: !!screen.tech.syncAnswers
                        width: parent.width
                        font.pixelSize: Theme.small
                        color: screen.tech.live ? Theme.good : Theme.warn
                        text: screen.tech.live ? qsTr("Hub: live") : qsTr("Hub: not live")
                    }
                    KText {
                        objectName: "syncCacheAge"
                        visible: !!screen.tech.syncAnswers
                        width: parent.width
                        font.pixelSize: Theme.small
                        text: screen.ageText(screen.tech.cacheAgeS)
                    }
                    KText {
                        objectName: "syncOutbox"
                        visible: !!screen.tech.syncAnswers
                        width: parent.width
                        font.pixelSize: Theme.small
                        text: qsTr("Outbox: %1 waiting").arg(screen.tech.outboxDepth)
                    }
                }
            }

            Rectangle {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 3
                color: Theme.panel
                radius: 6
                ListView {
                    objectName: "logTail"
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    clip: true
                    cacheBuffer: 0
                    spacing: 2
                    boundsBehavior: Flickable.StopAtBounds
                    model: screen.tech.logLines || []
                    onCountChanged: positionViewAtEnd()
                    delegate: Item {
                        required property string modelData
                        width: ListView.view.width
                        height: line.implicitHeight
                        Text {
                            id: line
                            width: parent.width
                            text: parent.modelData
                            wrapMode: Text.WrapAnywhere
                            color: Theme.muted
                            font.family: "DejaVu Sans Mono"
                            font.pixelSize: Theme.minimumFont
                        }
                    }
                }
            }
        }
        KText {
            objectName: "techError"
            visible: Admin.error === "command_failed"
            Layout.fillWidth: true
            font.pixelSize: Theme.small
            color: Theme.bad
            text: qsTr("The restart command failed. See the log.")
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            KButton {
                objectName: "restartButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Restart kiosk service")
                onClicked: Admin.restartService()
            }
            KButton {
                objectName: "exitDesktopButton"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                text: qsTr("Exit to desktop")
                onClicked: Admin.exitToDesktop()
            }
        }
    }
}
