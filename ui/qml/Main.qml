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

    // A key (a keyboard, a keypad) is a patient's presence as a touch is: it keeps their
    // place and answers "are you still there?". Volume keys (and + / -) turn the voice up or
    // down for this patient.
    Item {
        objectName: "keyWatch"
        focus: true
        Keys.onPressed: function(event) {
            if (event.key === Qt.Key_VolumeUp || event.key === Qt.Key_Plus)
                Flow.changeVolume(1)
            else if (event.key === Qt.Key_VolumeDown || event.key === Qt.Key_Minus)
                Flow.changeVolume(-1)
            else
                Flow.touch()
            event.accepted = false
        }
    }

    // The I/O board's tactile keypad (docs/io-board.md): up/down move a focus ring among the
    // screen's buttons, then the top bar's, in reading order; select presses the ringed one;
    // back is the screen's back. Volume, help and repeat never reach here (kiosk.devices).
    // While the staff panel is open the ring goes over its buttons only (PIN pad included),
    // and back is the panel's back.
    property var keypadTarget: null
    function keypadChoices() {
        var found = []
        function walk(item) {
            if (!item || !item.visible) return
            if (item.keypadChoice === true && item.enabled) found.push(item)
            for (var i = 0; i < item.children.length; i++) walk(item.children[i])
        }
        function place(item) { return item.mapToItem(null, 0, 0) }
        if (Admin.isOpen) {
            walk(adminPanel)
            return found.sort(function(a, b) {
                var pa = place(a), pb = place(b)
                return Math.abs(pa.y - pb.y) > 1 ? pa.y - pb.y : pa.x - pb.x
            })
        }
        walk(screenLoader.item)
        var screenOnes = found.length
        walk(topBar)
        var mine = found.slice(0, screenOnes), bar = found.slice(screenOnes)
        function byReading(a, b) {
            var pa = place(a), pb = place(b)
            return Math.abs(pa.y - pb.y) > 1 ? pa.y - pb.y : pa.x - pb.x
        }
        return mine.sort(byReading).concat(bar.sort(byReading))
    }
    function keypadMove(steps) {
        var choices = keypadChoices()
        if (choices.length === 0) return
        var at = choices.indexOf(keypadTarget)
        var next = at < 0 ? (steps > 0 ? 0 : choices.length - 1)
                          : (at + steps + choices.length) % choices.length
        if (keypadTarget) keypadTarget.keypadFocused = false
        keypadTarget = choices[next]
        keypadTarget.keypadFocused = true
        var inside = keypadTarget.mapToItem(scroller.contentItem, 0, 0)  // scroll it into view
        if (scroller.interactive && (inside.y < scroller.contentY
                || inside.y + keypadTarget.height > scroller.contentY + scroller.height))
            scroller.contentY = Math.max(0, Math.min(inside.y, scroller.contentHeight - scroller.height))
    }
    Connections {
        target: Flow
        function onKeypadKey(name) {
            if (Admin.isOpen) Admin.touch()  // a key keeps the staff session as a touch does
            if (name === "up") root.keypadMove(-1)
            else if (name === "down") root.keypadMove(1)
            else if (name === "back") { if (Admin.isOpen) Admin.back(); else Flow.back() }
            else if (name === "select") {
                if (root.keypadTarget && root.keypadChoices().indexOf(root.keypadTarget) >= 0)
                    root.keypadTarget.clicked()
                else
                    root.keypadMove(1)  // nothing ringed yet: the first choice
            }
        }
    }

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
        keypadBack: screenLoader.item !== null && screenLoader.item.inPad === true
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
    }

    // A screen whose words need more than the window (large text on a 7" panel) scrolls,
    // with a bar that shows there is more; nothing is cut off or shrunk.
    Flickable {
        id: scroller
        objectName: "screenScroller"
        anchors.top: topBar.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: captionBar.visible ? captionBar.top : parent.bottom
        anchors.margins: Theme.edge
        anchors.topMargin: Theme.gap  // targets below the top bar's stay 2 mm from them
        anchors.bottomMargin: Theme.compact ? 0 : Theme.edge  // every pixel for a 7" keypad
        clip: interactive  // a keypad may reach into the margins when nothing scrolls
        contentWidth: width
        readonly property real needed: screenLoader.item ? screenLoader.item.implicitHeight : 0
        // Room below the last item for the "more" strip, so it never covers what it points at.
        contentHeight: needed > height + 1 ? needed + moreHint.height : height
        interactive: contentHeight > height + 1
        anchors.rightMargin: interactive ? Theme.edge + scrollBar.width + 4 : Theme.edge
        boundsBehavior: Flickable.StopAtBounds
        Loader {
            id: screenLoader
            objectName: "screenLoader"
            width: scroller.width
            height: scroller.contentHeight
            source: root.screens[Flow.screen]
            onSourceChanged: {
                scroller.contentY = 0
                if (root.keypadTarget) root.keypadTarget.keypadFocused = false  // a top bar button lives on
                root.keypadTarget = null
            }
        }
    }
    Rectangle {
        id: moreHint
        objectName: "moreHint"
        visible: scroller.interactive && !scroller.atYEnd
        anchors.left: scroller.left
        anchors.right: scroller.right
        anchors.bottom: scroller.bottom
        height: moreText.implicitHeight + Theme.pad
        color: Theme.bg
        KText {
            id: moreText
            anchors.centerIn: parent
            font.pixelSize: Theme.small
            color: Theme.accent
            text: "\u25BC " + qsTr("Slide up for more")
        }
    }
    Rectangle {
        id: scrollBar
        objectName: "scrollBar"
        visible: scroller.interactive
        anchors.right: parent.right
        width: Math.round(Theme.mm * 1.5)
        radius: width / 2
        color: Theme.accent
        y: scroller.y + scroller.visibleArea.yPosition * scroller.height
        height: scroller.visibleArea.heightRatio * scroller.height
    }

    // The idle board is dimmed by the panel's backlight (ui/backlight.py), never by
    // greying what it says: the lobby reads it at full contrast. A touch wakes it.
    MouseArea {
        objectName: "dimOverlay"
        anchors.fill: parent
        visible: Flow.dimmed
        onClicked: Flow.wake()
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
        id: adminPanel
        anchors.fill: parent
        visible: Admin.isOpen
    }
    Connections {  // a new staff page (or the panel shut) starts with nothing ringed
        target: Admin
        function onChanged() {
            var choices = root.keypadChoices()
            if (root.keypadTarget && choices.indexOf(root.keypadTarget) < 0) {
                root.keypadTarget.keypadFocused = false
                root.keypadTarget = null
            }
        }
    }
}
