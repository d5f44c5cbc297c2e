import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// Each provider with their status now and the four changes staff can make.
Item {
    objectName: "screen_admin_providers"

    AdminWords { id: words }

    ListView {
        objectName: "adminProviderList"
        anchors.fill: parent
        clip: true
        cacheBuffer: 0
        spacing: Theme.gap
        boundsBehavior: Flickable.StopAtBounds
        model: Admin.providers
        delegate: Rectangle {
            id: row
            required property var modelData
            readonly property string pid: modelData.providerId
            width: ListView.view.width
            height: grid.implicitHeight + Theme.gap
            color: Theme.panel
            radius: 6
            // Who and their status above the four changes (large enough words need the width).
            GridLayout {
                id: grid
                anchors.fill: parent
                anchors.margins: Theme.gap / 2
                anchors.leftMargin: Theme.pad
                columns: 4
                rowSpacing: Theme.gap
                columnSpacing: Theme.gap
                Column {
                    id: who
                    Layout.columnSpan: 4
                    Layout.fillWidth: true
                    Layout.preferredWidth: 3
                    KText {
                        width: parent.width
                        font.pixelSize: Theme.small
                        font.bold: true
                        text: modelData.name
                    }
                    KText {
                        objectName: "adminStatus_" + modelData.providerId
                        width: parent.width
                        font.pixelSize: Theme.small
                        color: modelData.status === "out" ? Theme.bad : modelData.status === "on_time" ? Theme.good : Theme.warn
                        text: words.status(modelData.status, modelData.delayMin, modelData.leavingAt)
                    }
                }
                Repeater {
                    model: [["late", qsTr("Running late")], ["out", qsTr("Out today")],
                            ["leaving_early", qsTr("Leaving early")], ["on_time", qsTr("Back on schedule")]]
                    delegate: KButton {
                        required property var modelData
                        objectName: modelData[0] + "_" + row.pid
                        Layout.fillWidth: true
                        Layout.preferredWidth: 2
                        fontSize: Theme.small
                        text: modelData[1]
                        onClicked: Admin.choose(row.pid, modelData[0])
                    }
                }
            }
        }
    }
}
