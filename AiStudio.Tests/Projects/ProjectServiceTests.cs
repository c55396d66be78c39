using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Projects;

/// <summary>The project service against a real database.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ProjectServiceTests(ManualExecutionFixture fixture) : IClassFixture<ManualExecutionFixture>
{
    private TestAppHost App => fixture.Host;
    private IProjectService Projects => App.Get<IProjectService>();

    [Fact]
    public async Task CreateAsync_ValidName_CreatesOwnedProjectAndAuditRow()
    {
        var owner = await NewUserAsync();

        var id = await Projects.CreateAsync(owner, "  Payments  ");

        var project = await Projects.GetAsync(owner, id);
        Assert.Equal(("Payments", ProjectRole.Owner, true), (project!.Name, project.Role, project.CanManage));
        Assert.Equal([(owner.DisplayName, ProjectRole.Owner)], project.Members.Select(m => (m.Email, m.Role)));
        Assert.Equal(ApprovalRules.Single, project.Settings);
        var audit = Assert.Single(await AuditAsync(id));
        Assert.Equal((ProjectAuditActions.Created, owner.UserId, "Payments"), (audit.Action, audit.ActorId, audit.After));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Pay\u0000ments")]
    [InlineData("Pay\u001bments")]
    public async Task CreateAsync_InvalidName_ThrowsAndChangesNothing(string name)
    {
        var owner = await NewUserAsync();
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Projects.CreateAsync(owner, name));

        Assert.Equal(["Name"], error.Errors.Keys);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task CreateAsync_NameTooLong_ThrowsAndChangesNothing()
    {
        var owner = await NewUserAsync();
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Projects.CreateAsync(owner, new string('p', Project.NameMaxLength + 1)));

        Assert.Contains($"at most {Project.NameMaxLength} characters", error.Message);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task CreateAsync_SameNameTwiceBySameCreator_ThrowsButAnotherCreatorMayUseIt()
    {
        var owner = await NewUserAsync();
        var other = await NewUserAsync();
        await Projects.CreateAsync(owner, "Payments");
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Projects.CreateAsync(owner, " Payments "));
        Assert.Equal(before, await CountRowsAsync());
        await Projects.CreateAsync(other, "Payments");

        Assert.Equal("You already created a project named \"Payments\"; choose another name.", error.Message);
        Assert.Single(await Projects.ListAsync(other));
    }

    [Fact]
    public async Task ListAsync_MemberOfSeveral_ShowsOnlyTheirsWithRoleAndMemberCount()
    {
        var owner = await NewUserAsync();
        var editor = await NewUserAsync();
        var stranger = await NewUserAsync();
        var shared = await Projects.CreateAsync(owner, "Shared");
        await AddAsync(owner, shared, editor, ProjectRole.Editor);
        await Projects.CreateAsync(editor, "Own");
        await Projects.CreateAsync(stranger, "Secret");

        var list = await Projects.ListAsync(editor);

        Assert.Equal([("Own", ProjectRole.Owner, 1), ("Shared", ProjectRole.Editor, 2)], list.Select(p => (p.Name, p.Role!.Value, p.MemberCount)));
    }

    [Fact]
    public async Task GetAsync_NonMember_IsNullLikeAMissingProjectButAdminSeesIt()
    {
        var owner = await NewUserAsync();
        var stranger = await NewUserAsync();
        var admin = await NewUserAsync(isAdmin: true);
        var id = await Projects.CreateAsync(owner, "Secret");

        Assert.Null(await Projects.GetAsync(stranger, id));
        Assert.Null(await Projects.GetAsync(owner, Guid.NewGuid()));
        var seen = await Projects.GetAsync(admin, id);
        Assert.Equal((null, true), (seen!.Role, seen.CanManage));
    }

    [Fact]
    public async Task AddMemberAsync_ExistingAccountByEmail_AddsWithRoleAndAudits()
    {
        var owner = await NewUserAsync();
        var editor = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");

        await Projects.AddMemberAsync(owner, id, await VersionAsync(owner, id), $"  {editor.DisplayName.ToUpperInvariant()} ", ProjectRole.Editor);

        var project = await Projects.GetAsync(editor, id);
        Assert.Equal((ProjectRole.Editor, false), (project!.Role, project.CanManage));
        Assert.Contains(project.Members, m => m.UserId == editor.UserId && m.Email == editor.DisplayName && m.Role == ProjectRole.Editor);
        var audit = (await AuditAsync(id)).Last();
        Assert.Equal((ProjectAuditActions.MemberAdded, owner.UserId, null, "Editor"), (audit.Action, audit.ActorId, audit.Before, audit.After));
        Assert.Contains(editor.DisplayName, audit.Detail);
    }

    public static TheoryData<string, string> BadEmails() => new()
    {
        { "nobody-here@example.com", "No account uses that email; ask them to sign up first." },
        { "not-an-email", "That is not an email address; write it as name@example.com." },
        { "two@@example.com", "That is not an email address; write it as name@example.com." },
        { "", "Member email is required." },
        { "   ", "Member email is required." },
        { "a b@example.com", "Member email must not contain spaces or control characters." },
        { "ab\u0007@example.com", "Member email must not contain spaces or control characters." },
    };

    [Theory]
    [MemberData(nameof(BadEmails))]
    public async Task AddMemberAsync_UnknownOrMalformedEmail_ThrowsClearMessageAndChangesNothing(string email, string message)
    {
        var owner = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        var version = await VersionAsync(owner, id);
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Projects.AddMemberAsync(owner, id, version, email, ProjectRole.Viewer));

        Assert.Equal(message, Assert.Single(error.Errors["Email"]));
        Assert.Equal(before, await CountRowsAsync());
        Assert.Equal(version, await VersionAsync(owner, id));
    }

    [Fact]
    public async Task AddMemberAsync_AlreadyAMember_ThrowsAndChangesNothing()
    {
        var owner = await NewUserAsync();
        var viewer = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        await AddAsync(owner, id, viewer, ProjectRole.Viewer);
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => AddAsync(owner, id, viewer, ProjectRole.Editor));

        Assert.Contains("already a member", error.Message);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task AddMemberAsync_StaleVersion_ThrowsConflictAndChangesNothing()
    {
        var owner = await NewUserAsync();
        var first = await NewUserAsync();
        var second = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        var seen = await VersionAsync(owner, id);
        await Projects.AddMemberAsync(owner, id, seen, first.DisplayName, ProjectRole.Viewer);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Projects.AddMemberAsync(owner, id, seen, second.DisplayName, ProjectRole.Viewer));

        Assert.Null(await Projects.GetAsync(second, id));
    }

    [Fact]
    public async Task ChangeRoleAsync_EditorToViewer_ChangesAndAuditsBeforeAndAfter()
    {
        var owner = await NewUserAsync();
        var member = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        await AddAsync(owner, id, member, ProjectRole.Editor);

        await Projects.ChangeRoleAsync(owner, id, await VersionAsync(owner, id), member.UserId, ProjectRole.Viewer);

        Assert.Equal(ProjectRole.Viewer, (await Projects.GetAsync(member, id))!.Role);
        var audit = (await AuditAsync(id)).Last();
        Assert.Equal((ProjectAuditActions.MemberRoleChanged, "Editor", "Viewer"), (audit.Action, audit.Before, audit.After));
    }

    [Fact]
    public async Task ChangeRoleAsync_LastOwnerDemotesThemselves_ThrowsAndChangesNothing()
    {
        var owner = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        var version = await VersionAsync(owner, id);
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => Projects.ChangeRoleAsync(owner, id, version, owner.UserId, ProjectRole.Editor));

        Assert.Contains("must keep at least one owner", error.Message);
        Assert.Equal(before, await CountRowsAsync());
        Assert.Equal(ProjectRole.Owner, (await Projects.GetAsync(owner, id))!.Role);
    }

    [Fact]
    public async Task RemoveMemberAsync_Member_RemovesAuditsAndTheyLoseAccessToBuilds()
    {
        var owner = await NewUserAsync();
        var member = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        await AddAsync(owner, id, member, ProjectRole.Editor);
        var buildId = await App.Get<IBuildCommands>().StartAsync(member, new NewBuildRequest("", "Refunds", "Customers can ask for a refund within 30 days.", ProjectId: id));

        await Projects.RemoveMemberAsync(owner, id, await VersionAsync(owner, id), member.UserId);

        Assert.Null(await Projects.GetAsync(member, id));
        Assert.Null(await App.Get<IBuildQueries>().GetAsync(member, buildId));
        var audit = (await AuditAsync(id)).Last();
        Assert.Equal((ProjectAuditActions.MemberRemoved, "Editor", null), (audit.Action, audit.Before, audit.After));
    }

    [Fact]
    public async Task RemoveMemberAsync_LastOwner_ThrowsAndChangesNothing()
    {
        var owner = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        var before = await CountRowsAsync();

        await Assert.ThrowsAsync<DomainException>(async () => await Projects.RemoveMemberAsync(owner, id, await VersionAsync(owner, id), owner.UserId));

        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task UpdateSettingsAsync_NewRules_SavesAndAuditsBeforeAndAfter()
    {
        var owner = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");

        await Projects.UpdateSettingsAsync(owner, id, await VersionAsync(owner, id), new ApprovalRules(true, 2));

        Assert.Equal(new ApprovalRules(true, 2), (await Projects.GetAsync(owner, id))!.Settings);
        var audit = (await AuditAsync(id)).Last();
        Assert.Equal(ProjectAuditActions.SettingsChanged, audit.Action);
        Assert.Equal("1 approval per phase, the starter may approve", audit.Before);
        Assert.Equal("2 approvals per phase, approver must not be the starter", audit.After);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public async Task UpdateSettingsAsync_ApprovalsOutOfRange_ThrowsAndChangesNothing(int approvals)
    {
        var owner = await NewUserAsync();
        var id = await Projects.CreateAsync(owner, "Payments");
        var version = await VersionAsync(owner, id);
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Projects.UpdateSettingsAsync(owner, id, version, new ApprovalRules(true, approvals)));

        Assert.Equal(["RequiredApprovals"], error.Errors.Keys);
        Assert.Equal(before, await CountRowsAsync());
        Assert.Equal((ApprovalRules.Single, version), ((await Projects.GetAsync(owner, id))!.Settings, await VersionAsync(owner, id)));
    }

    [Fact]
    public async Task StartAsync_ByNameWhenAlsoMemberOfAnotherPersonsProjectOfThatName_UsesTheirOwn()
    {
        var alice = await NewUserAsync();
        var bob = await NewUserAsync();
        var alices = await Projects.CreateAsync(alice, "Website");
        await AddAsync(alice, alices, bob, ProjectRole.Viewer);
        var bobs = await Projects.CreateAsync(bob, "Website");

        var buildId = await App.Get<IBuildCommands>().StartAsync(bob, new NewBuildRequest("Website", "Contact form", "Add a contact form that emails support."));

        Assert.Equal(bobs, (await App.Get<IBuildQueries>().GetAsync(bob, buildId))!.ProjectId);
        Assert.Equal(["Website", "Website"], await App.Get<IBuildQueries>().GetProjectNamesAsync(bob));
    }

    private async Task<Actor> NewUserAsync(bool isAdmin = false) => await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com", isAdmin);

    private async Task AddAsync(Actor owner, Guid projectId, Actor member, ProjectRole role) =>
        await Projects.AddMemberAsync(owner, projectId, await VersionAsync(owner, projectId), member.DisplayName, role);

    private async Task<int> VersionAsync(Actor actor, Guid projectId) => (await Projects.GetAsync(actor, projectId))!.Version;

    private async Task<List<AuditEvent>> AuditAsync(Guid projectId)
    {
        await using var db = await App.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.ProjectId == projectId).OrderBy(e => e.Id).ToListAsync();
    }

    private async Task<(int Projects, int Members, int Audit)> CountRowsAsync()
    {
        await using var db = await App.CreateDbContextAsync();
        return (await db.Projects.CountAsync(), await db.ProjectMembers.CountAsync(), await db.AuditEvents.CountAsync());
    }
}
