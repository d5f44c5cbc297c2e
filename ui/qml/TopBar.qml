import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

Rectangle {
    id: bar
    implicitHeight: Theme.touch + 2 * Theme.pad
    color: Theme.bg

    RowLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: Theme.gap

        Receptionist {
            objectName: "barFace"
            // The attract screen shows it large, and so does welcome on a tall screen.
            visible: Flow.screen !== "attract" && !(Flow.screen === "welcome" && !Theme.compact)
            size: Theme.touch
        }
        Text {
            objectName: "practiceName"
            Layout.fillWidth: true
            Layout.fillHeight: true
            text: Flow.practiceName
            color: Theme.muted
            font.family: Theme.font
            font.pixelSize: Theme.body
            font.bold: true
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
            maximumLineCount: 2
            fontSizeMode: Text.Fit
            minimumPixelSize: Theme.minimumFont
        }
        KButton {
            objectName: "languageButton"
            Layout.preferredWidth: Math.round(Theme.touch * 1.9)
            fontSize: Theme.body
            text: Flow.language === "en" ? "Español" : "English"
            onClicked: Flow.setLanguage(Flow.language === "en" ? "es" : "en")
        }
        KButton {
            objectName: "textSizeButton"
            Layout.preferredWidth: Theme.touch
            fontSize: Theme.body
            text: Flow.largeText ? "A\u2212" : "A+"
            onClicked: Flow.toggleLargeText()
        }
        KButton {
            objectName: "callStaffButton"
            Layout.preferredWidth: Math.round(Theme.touch * 2.6)
            fontSize: Theme.body
            primary: !Flow.staffCalled
            text: Flow.staffCalled ? qsTr("Help is coming") : qsTr("Call staff")
            onClicked: Flow.callStaff()
        }
    }
}
