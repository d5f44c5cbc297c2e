import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// After the patient chose on the outcome screen; the request is in the outbox.
Item {
    id: screen
    objectName: "screen_done"

    function headline() {
        if (Flow.choice === "waiting_late") return qsTr("Thank you, %1. Please have a seat.").arg(Flow.firstName)
        if (Flow.choice === "return_later") return qsTr("Thank you, %1. See you soon.").arg(Flow.firstName)
        if (Flow.choice === "reschedule") return qsTr("Your request was sent.")
        return qsTr("Please go to the front desk.")
    }
    function detail() {
        if (Flow.choice === "waiting_late") return qsTr("We expect to see you around %1.").arg(Flow.estimatedTime)
        if (Flow.choice === "return_later") return qsTr("Please come back by %1. The front desk knows you were here.").arg(Flow.estimatedTime)
        if (Flow.choice === "reschedule") return qsTr("The front desk will contact you to find a new time.")
        if (Flow.choice === "other_provider") return qsTr("They will arrange your visit with %1 today.").arg(Flow.alternativeName)
        return qsTr("They know you are here and will help you.")
    }

    implicitHeight: column.implicitHeight  // more than fits: the window scrolls

    ColumnLayout {
        id: column
        anchors.fill: parent
        spacing: Theme.gap
        KText {
            objectName: "doneHeadline"
            Layout.fillWidth: true
            font.pixelSize: Theme.title
            font.bold: true
            text: screen.headline()
        }
        KText {
            objectName: "doneDetail"
            Layout.fillWidth: true
            text: screen.detail()
        }
        TicketNote { Layout.fillWidth: true }
        Item { Layout.fillHeight: true }
        KButton {
            objectName: "doneButton"
            Layout.alignment: Qt.AlignRight
            Layout.preferredWidth: Theme.touch * 3
            primary: true
            text: qsTr("Done")
            onClicked: Flow.finish()
        }
    }
}
