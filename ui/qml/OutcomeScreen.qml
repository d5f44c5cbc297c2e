import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// What the provider's live status means for this patient: checked in with a wait, late
// (wait or come back), out (the practice's options), or stale (checked in, no estimate).
Item {
    id: screen
    objectName: "screen_outcome"
    readonly property string kind: Flow.outcomeKind

    function headline() {
        if (kind === "late") return qsTr("%1 is running about %2 minutes late.").arg(Flow.providerName).arg(Flow.delayMin)
        if (kind === "out") return qsTr("Sorry, %1 is not in the office today.").arg(Flow.providerName)
        return qsTr("You are checked in, %1!").arg(Flow.firstName)
    }
    function detail() {
        if (kind === "late") return qsTr("Your new estimated time is %1. Would you like to wait here, or leave and come back?").arg(Flow.estimatedTime)
        if (kind === "out") return qsTr("Your visit is not lost. What would you like to do?")
        if (kind === "stale") return qsTr("Please have a seat. We cannot estimate your wait right now.")
        if (Flow.waitMin <= 0) return qsTr("%1 is on time. Please have a seat; you will be called shortly.").arg(Flow.providerName)
        return qsTr("%1 is on time. Estimated wait: about %2 minutes (around %3). Please have a seat.").arg(Flow.providerName).arg(Flow.waitMin).arg(Flow.estimatedTime)
    }
    function optionText(option) {
        if (option === "waiting_late") return qsTr("I will wait here")
        if (option === "return_later") return qsTr("I will come back later")
        if (option === "other_provider") return qsTr("See %1 instead").arg(Flow.alternativeName)
        if (option === "front_desk") return qsTr("Talk to the front desk")
        if (option === "reschedule") return qsTr("Ask for a new appointment")
        return option
    }

    implicitHeight: column.implicitHeight  // more than fits: the window scrolls

    ColumnLayout {
        id: column
        anchors.fill: parent
        spacing: Theme.gap

        KText {
            objectName: "outcomeHeadline"
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            color: screen.kind === "out" ? Theme.bad : screen.kind === "late" ? Theme.warn : Theme.good
            text: screen.headline()
        }
        KText {
            objectName: "outcomeDetail"
            Layout.fillWidth: true
            text: screen.detail()
        }
        StaleNote { Layout.fillWidth: true }
        TicketNote { Layout.fillWidth: true }
        Item { Layout.fillHeight: true }
        GridLayout {
            Layout.fillWidth: true
            // Side by side; one under the other when large text on a 7" panel needs the width.
            columns: Theme.compact && Flow.largeText ? 1 : Math.max(1, Flow.options.length)
            rowSpacing: Theme.gap
            columnSpacing: Theme.gap
            visible: Flow.choice === ""
            Repeater {
                model: Flow.choice === "" ? Flow.options : []
                delegate: KButton {
                    required property string modelData
                    required property int index
                    objectName: "option_" + modelData
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    primary: index === 0
                    text: screen.optionText(modelData)
                    onClicked: Flow.choose(modelData)
                }
            }
        }
        KButton {
            objectName: "doneButton"
            visible: Flow.choice !== ""
            Layout.alignment: Qt.AlignRight
            Layout.preferredWidth: Theme.touch * 3
            primary: true
            text: qsTr("Done")
            onClicked: Flow.finish()
        }
    }
}
