import QtQuick
import Kiosk 1.0

// The staff panel's words for a provider status and a status change, in one place.
QtObject {
    function status(kind, delay, leavingAt) {
        if (kind === "late") return qsTr("Running %1 min late").arg(delay)
        if (kind === "leaving_early") return qsTr("Leaves early at %1").arg(leavingAt)
        if (kind === "out") return qsTr("Out today")
        return qsTr("On time")
    }
    function change(kind, name, delay, leavingAt) {
        if (kind === "late") return qsTr("%1 running %2 minutes late").arg(name).arg(delay)
        if (kind === "leaving_early") return qsTr("%1 leaving early at %2").arg(name).arg(leavingAt)
        if (kind === "out") return qsTr("%1 out today").arg(name)
        return qsTr("%1 back on schedule").arg(name)
    }
    function role(kind) {
        if (kind === "supervisor") return qsTr("Supervisor")
        if (kind === "technician") return qsTr("Technician")
        return qsTr("Front desk")
    }
    function tab(page) {
        if (page === "requests") return qsTr("Requests")
        if (page === "notices") return Admin.noticeCount > 0 ? qsTr("Notices (%1)").arg(Admin.noticeCount) : qsTr("Notices")
        if (page === "tech") return qsTr("Technician")
        return qsTr("Providers")
    }
}
