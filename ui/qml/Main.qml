import QtQuick
import Kiosk 1.0

// The kiosk window: a top bar on every screen (language, text size, call staff), the
// current screen, the idle countdown, the dimmed attract board, the hidden staff entry.
Window {
    id: root
    objectName: "kioskWindow"
    property bool allowClose: false

    width: 800
    height: 480
    visible: true
    color: Theme.bg
    title: "Check-in"
    onClosing: function(close) { close.accepted = root.allowClose }

    Binding { target: Theme; property: "width"; value: root.width }
    Binding { target: Theme; property: "height"; value: root.height }

    readonly property var screens: ({
        attract: "AttractScreen.qml",
        welcome: "WelcomeScreen.qml",
        dob: "DobScreen.qml",
        letters: "LettersScreen.qml",
        code: "CodeScreen.qml",
        confirm: "ConfirmScreen.qml",
        outcome: "OutcomeScreen.qml",
        done: "DoneScreen.qml",
        message: "MessageScreen.qml"
    })

    TopBar {
        id: topBar
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
    }

    Loader {
        id: screenLoader
        objectName: "screenLoader"
        anchors.top: topBar.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: captionBar.visible ? captionBar.top : parent.bottom
        anchors.margins: Theme.pad
        source: root.screens[Flow.screen]
    }

    Rectangle {
        id: dim
        objectName: "dimOverlay"
        anchors.fill: parent
        color: "#000000"
        opacity: Flow.dimmed ? 0.75 : 0
        visible: Flow.dimmed || opacity > 0
        Behavior on opacity { NumberAnimation { duration: Face.reduceMotion ? 0 : 600 } }
        MouseArea {
            anchors.fill: parent
            onClicked: Flow.wake()
        }
    }

    // What the kiosk says aloud, written out (voice check-in).
    Rectangle {
        id: captionBar
        objectName: "captionBar"
        visible: Flow.caption !== "" && Flow.screen !== "attract"
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        height: captionText.implicitHeight + 2 * Theme.pad
        color: "#E6101010"
        KText {
            id: captionText
            objectName: "captionText"
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.verticalCenter: parent.verticalCenter
            anchors.margins: Theme.pad
            text: Flow.caption
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
        }
    }

    CountdownOverlay {
        anchors.fill: parent
        visible: Flow.countdown > 0
    }

    // Staff only: hold the top-left corner for 3 s. Nothing shows; the staff panel opens.
    MouseArea {
        objectName: "adminCorner"
        x: 0
        y: 0
        width: Theme.touch
        height: Theme.touch
        pressAndHoldInterval: 3000
        onPressAndHold: Flow.requestAdmin()
    }

    // The staff panel: above everything while a staff session (or its PIN entry) is open.
    AdminPanel {
        anchors.fill: parent
        visible: Admin.isOpen
    }
}
