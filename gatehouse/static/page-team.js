// The team page (its HTML: gatehouse/portal_pages/team.html): the organization's
// people, their roles and invitations, through /organizations/{id}/members.
"use strict";

const ROLES = ["owner", "admin", "developer", "viewer"];

pages["team"] = async function () {
  const me = await call("GET", "/auth/me");
  if (!me.ok) return flash("Could not read your account.");
  const { organizationId, id: myId } = me.payload.data;
  const members = `/organizations/${organizationId}/members`;
  // The API is the judge: a 403 here is the restriction, shown as such.
  const first = await call("GET", `${members}?perPage=100`);
  if (first.status === 403) {
    document.getElementById("team-restricted").hidden = false;
    return;
  }
  document.getElementById("team-manage").hidden = false;
  onSubmit("invite-form", async (form) => {
    const result = await call("POST", members, values(form));
    if (!result.ok) return showErrors(form, result);
    form.reset();
    clearErrors(form);
    const added = result.payload.data;
    // The message comes once the table shows the change, so both tell the same story.
    await listMembers(members, myId);
    // The answer does not say whether a mail went out (only a new address gets one).
    flash(added.status === "invited"
      ? `Added ${added.email} as ${added.role}: invited until they confirm their address (a new address is mailed an invitation).`
      : `Added ${added.email} as ${added.role}.`);
  });
  renderMembers(first.payload.data, members, myId);
};

async function listMembers(members, myId) {
  const result = await call("GET", `${members}?perPage=100`);
  if (result.ok) renderMembers(result.payload.data, members, myId);
  else flash(`Could not list the members: ${result.payload.error.message}`);
}

function renderMembers(list, members, myId) {
  const body = document.querySelector("#members-table tbody");
  body.replaceChildren();
  for (const member of list) {
    const selectId = `role-of-${member.userId}`;
    const select = el("select", { id: selectId });
    for (const role of ROLES) {
      const option = el("option", { value: role }, role);
      if (role === member.role) option.selected = true;
      select.append(option);
    }
    const who = member.name || member.email;
    const save = button("Save role", `Save role of ${member.email}`, async () => {
      const result = await call("PUT", `${members}/${member.userId}`, { role: select.value });
      await listMembers(members, myId);
      flash(result.ok ? `${who} now has the role ${result.payload.data.role}.` : `Could not change the role: ${result.payload.error.message}`);
    });
    const remove = button("Remove", `Remove ${member.email}`, async () => {
      if (!confirm(`Remove ${who} (${member.email}) from the organization? Their sessions in it end at once.`)) return;
      const result = await call("DELETE", `${members}/${member.userId}`);
      await listMembers(members, myId);
      flash(result.ok ? `Removed ${who}.` : `Could not remove: ${result.payload.error.message}`);
    });
    const role = el("td", {}, el("label", { for: selectId, class: "visually-hidden" }, `Role of ${member.email}`), select);
    const status = el("td", { class: "status" }, member.status === "invited" ? "invited (not yet signed in)" : "active");
    const name = member.userId === myId ? `${member.name} (you)` : member.name;
    body.append(el("tr", { "data-user-id": member.userId, "data-email": member.email },
      el("td", {}, name), el("td", {}, member.email), role, status, el("td", {}, when(member.joinedAt)),
      el("td", {}, save, remove)));
  }
}
