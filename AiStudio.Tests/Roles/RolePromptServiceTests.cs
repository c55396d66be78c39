using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Roles;

/// <summary>Each test works on its own role, so the tests can share one host.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class RolePromptServiceTests(TestAppHostFixture fixture) : IClassFixture<TestAppHostFixture>
{
    private static readonly Actor Admin = new("admin-1", "admin@example.com", IsAdmin: true);
    private static readonly Actor Member = new("member-1", "member@example.com");

    private IRolePromptService Service => fixture.Host.Get<IRolePromptService>();

    [Fact]
    public async Task CreateVersion_ValidInput_AddsNextVersionAsTheActiveOneAndLeavesOldVersionsUntouched()
    {
        var before = await VersionsAsync(AiRole.CodeWriter);

        var saved = await Service.CreateVersionAsync(Admin, AiRole.CodeWriter, "You write code. Small classes.", "  Shorter prompt  ", expectedLatestVersion: 1);

        Assert.Equal((2, true, "admin@example.com", "Shorter prompt"), (saved.Version, saved.IsActive, saved.CreatedBy, saved.ChangeNote));
        var after = await VersionsAsync(AiRole.CodeWriter);
        Assert.Equal([1, 2], after.Select(p => p.Version));
        var old = after.Single(p => p.Version == 1);
        Assert.Equal((before[0].Id, before[0].Text, before[0].CreatedAt, before[0].ChangeNote), (old.Id, old.Text, old.CreatedAt, old.ChangeNote));
        Assert.False(old.IsActive);
        Assert.Equal("You write code. Small classes.", after.Single(p => p.IsActive).Text);

        var overview = (await Service.ListAsync(Admin)).Single(r => r.Role == AiRole.CodeWriter);
        Assert.Equal(2, overview.Active.Version);
        Assert.Equal([2, 1], overview.Versions.Select(v => v.Version));

        var audit = await AuditAsync(PromptAuditActions.VersionCreated, saved.Id);
        Assert.Equal(("1", "2", 2, "admin-1"), (audit.Before, audit.After, audit.PromptVersion, audit.ActorId));
    }

    [Fact]
    public async Task Activate_OlderVersion_MakesItTheOnlyActiveOneAndIsAudited()
    {
        await Service.CreateVersionAsync(Admin, AiRole.TestAuditor, "Version two", "Try two", 1);
        await Service.CreateVersionAsync(Admin, AiRole.TestAuditor, "Version three", "Try three", 2);
        var first = (await VersionsAsync(AiRole.TestAuditor)).Single(p => p.Version == 1);

        await Service.ActivateAsync(Admin, first.Id);

        var versions = await VersionsAsync(AiRole.TestAuditor);
        Assert.Equal(1, Assert.Single(versions, p => p.IsActive).Version);
        Assert.Equal(["Version three", "Version two"], versions.Where(p => p.Version > 1).OrderByDescending(p => p.Version).Select(p => p.Text));
        var audit = await AuditAsync(PromptAuditActions.Activated, first.Id);
        Assert.Equal(("3", "1", 1), (audit.Before, audit.After, audit.PromptVersion));

        var again = await Assert.ThrowsAsync<DomainException>(() => Service.ActivateAsync(Admin, first.Id));
        Assert.Equal("Version 1 of the Test Auditor prompt is already active.", again.Message);
    }

    [Theory]
    [InlineData("", "Why", "Text", "The system prompt must not be empty.")]
    [InlineData("   ", "Why", "Text", "The system prompt must not be empty.")]
    [InlineData("Fine text", "", "ChangeNote", "Say why this change is made.")]
    [InlineData("Fine text", null, "ChangeNote", "Say why this change is made.")]
    public async Task CreateVersion_InvalidInput_ExplainsAndWritesNothing(string text, string? why, string field, string message)
    {
        var versionsBefore = await VersionsAsync(AiRole.ReleaseManager);
        var auditBefore = await AuditCountAsync();

        var refused = await Assert.ThrowsAsync<InputValidationException>(() => Service.CreateVersionAsync(Admin, AiRole.ReleaseManager, text, why, 1));

        Assert.Equal([message], refused.Errors[field]);
        Assert.Equal(versionsBefore.Select(p => (p.Id, p.IsActive)), (await VersionsAsync(AiRole.ReleaseManager)).Select(p => (p.Id, p.IsActive)));
        Assert.Equal(auditBefore, await AuditCountAsync());
    }

    [Fact]
    public async Task CreateVersion_TextOverTheLimit_ExplainsAndWritesNothing()
    {
        var refused = await Assert.ThrowsAsync<InputValidationException>(() =>
            Service.CreateVersionAsync(Admin, AiRole.ReleaseManager, new string('x', RolePrompt.TextMaxLength + 1), "Longer", 1));

        Assert.Equal(["The system prompt must be at most 20,000 characters; it has 20,001."], refused.Errors["Text"]);
        Assert.Single(await VersionsAsync(AiRole.ReleaseManager));
    }

    [Fact]
    public async Task CreateVersion_SomeoneSavedSinceTheEditorOpened_ConflictAndNothingWritten()
    {
        await Service.CreateVersionAsync(Admin, AiRole.VerificationOverseer, "First edit", "First", 1);

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Service.CreateVersionAsync(Admin, AiRole.VerificationOverseer, "Second edit from a stale editor", "Second", 1));

        Assert.Contains("Someone saved version 2", conflict.Message);
        Assert.Equal([1, 2], (await VersionsAsync(AiRole.VerificationOverseer)).Select(p => p.Version));
    }

    [Fact]
    public async Task EveryMethod_NonAdmin_RefusedAndNothingWritten()
    {
        var someVersion = (await VersionsAsync(AiRole.QAssistant))[0];
        var auditBefore = await AuditCountAsync();

        var refusals = new[]
        {
            await Assert.ThrowsAsync<DomainException>(() => Service.ListAsync(Member)),
            await Assert.ThrowsAsync<DomainException>(() => Service.GetAsync(Member, someVersion.Id)),
            await Assert.ThrowsAsync<DomainException>(() => Service.CreateVersionAsync(Member, AiRole.QAssistant, "Sneaky", "Because", 1)),
            await Assert.ThrowsAsync<DomainException>(() => Service.ActivateAsync(Member, someVersion.Id)),
        };

        Assert.All(refusals, e => Assert.Equal("Only administrators can manage role prompts.", e.Message));
        Assert.Equal(auditBefore, await AuditCountAsync());
        Assert.Equal(someVersion.Id, Assert.Single(await VersionsAsync(AiRole.QAssistant)).Id);
    }

    [Fact]
    public async Task SaveChanges_TwoActiveVersionsOfOneRole_RefusedByTheDatabase()
    {
        await using var db = await fixture.Host.CreateDbContextAsync();
        db.RolePrompts.Add(RolePrompt.Create(AiRole.QAssistant, 99, "A second active version", "test", "Bypassing the service", DateTimeOffset.UtcNow));

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    private async Task<List<RolePrompt>> VersionsAsync(AiRole role)
    {
        await using var db = await fixture.Host.CreateDbContextAsync();
        return await db.RolePrompts.AsNoTracking().Where(p => p.Role == role).OrderBy(p => p.Version).ToListAsync();
    }

    private async Task<Core.Audit.AuditEvent> AuditAsync(string action, Guid promptId)
    {
        await using var db = await fixture.Host.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == action && e.EntityId == promptId.ToString());
    }

    private async Task<int> AuditCountAsync()
    {
        await using var db = await fixture.Host.CreateDbContextAsync();
        return await db.AuditEvents.CountAsync();
    }
}
