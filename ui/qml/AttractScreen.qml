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
                // Narrower on a short screen, so the board's statuses stay on one line; with
                // large text there the board takes the whole width (the face still greets).
                visible: !(Theme.compact && Flow.largeText)
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
                        // Large text on a 7" panel: the face greets alone (its words would not fit).
                        visible: !(Theme.compact && Flow.largeText)
                        height: visible ? implicitHeight : 0
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.body
                    }
                    KText {
                        id: clock
                        objectName: "clockText"
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        font.pixelSize: Theme.compact ? Theme.title : Theme.huge
                        font.bold: true
                        text: Face.time
                    }
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: Theme.gap

                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.pad
                    KText {
                        Layout.fillWidth: true
                        font.pixelSize: Theme.title
                        font.bold: true
                        text: qsTr("Providers today")
                    }
                    KText {
                        objectName: "boardPage"
                        visible: providerBoard.pages > 1
                        font.pixelSize: Theme.small
                        color: Theme.muted
                        text: qsTr("Page %1 of %2").arg(providerBoard.page + 1).arg(providerBoard.pages)
                    }
                }
                // Rows as tall as their words; as many as fit make a page, and the pages
                // turn by themselves (a touch here starts a check-in, so no scrolling).
                Column {
                    id: providerBoard
                    objectName: "providerBoard"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    spacing: Theme.gap / 2
                    clip: true
                    property int page: 0
                    property int pages: 1
                    function paginate() {
                        var used = 0, page = 0
                        for (var i = 0; i < rows.count; i++) {
                            var row = rows.itemAt(i)
                            if (!row) continue
                            var h = row.implicitHeight
                            if (used > 0 && used + h > providerBoard.height + 0.5) { page++; used = 0 }
                            row.page = page
                            used += h + providerBoard.spacing
                        }
                        pages = page + 1
                        if (providerBoard.page >= pages) providerBoard.page = 0
                    }
                    onHeightChanged: Qt.callLater(paginate)
                    onWidthChanged: Qt.callLater(paginate)
                    Component.onCompleted: Qt.callLater(paginate)
                    Connections {
                        target: Board
                        function onCountChanged() { Qt.callLater(providerBoard.paginate) }
                        function onModelReset() { Qt.callLater(providerBoard.paginate) }
                    }
                    Connections {
                        target: Theme
                        function onBodyChanged() { Qt.callLater(providerBoard.paginate) }
                    }
                    Timer {
                        interval: 8000
                        repeat: true
                        running: providerBoard.pages > 1 && screen.visible
                        onTriggered: providerBoard.page = (providerBoard.page + 1) % providerBoard.pages
                    }
                    Repeater {
                        id: rows
                        model: Board
                        onItemAdded: Qt.callLater(providerBoard.paginate)
                        onItemRemoved: Qt.callLater(providerBoard.paginate)
                        delegate: Rectangle {
                            required property string name
                            required property string status
                            required property int delayMin
                            required property string leavingAt
                            property int page: 0
                            visible: page === providerBoard.page
                            width: providerBoard.width
                            implicitHeight: row.implicitHeight + Theme.gap
                            height: implicitHeight
                            color: Theme.panel
                            radius: 6
                            onImplicitHeightChanged: Qt.callLater(providerBoard.paginate)
                            RowLayout {
                                id: row
                                anchors.verticalCenter: parent.verticalCenter
                                anchors.left: parent.left
                                anchors.right: parent.right
                                anchors.leftMargin: Theme.pad
                                anchors.rightMargin: Theme.pad
                                spacing: Theme.pad
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
