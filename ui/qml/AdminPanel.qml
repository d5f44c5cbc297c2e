import QtQuick
import QtQuick.Layouts
import Kiosk 1.0

// The staff panel, over the patient screens while open (the patient flow is reset first).
Rectangle {
    id: panel
    objectName: "adminPanel"
    color: Theme.bg

    readonly property var pages: ({
        who: "AdminWhoScreen.qml",
        pin: "AdminPinScreen.qml",
        approver: "AdminWhoScreen.qml",
        approve: "AdminPinScreen.qml",
        locked: "AdminLockedScreen.qml",
        providers: "AdminProvidersScreen.qml",
        action: "AdminActionScreen.qml",
        confirm: "AdminConfirmScreen.qml",
        requests: "AdminRequestsScreen.qml",
        notices: "AdminNoticesScreen.qml",
        tech: "AdminTechScreen.qml"
    })

    // Nothing beneath is reachable while the panel is up; a touch anywhere keeps the session.
    MouseArea {
        objectName: "adminBackdrop"
        anchors.fill: parent
        onPressed: Admin.touch()
    }

    AdminBar {
        id: bar
        visible: Admin.memberId !== ""
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        height: visible ? implicitHeight : 0
    }

    Loader {
        objectName: "adminLoader"
        anchors.top: bar.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: Theme.pad
        source: panel.pages[Admin.page] || ""
    }
}
