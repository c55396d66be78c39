using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Roles;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class RolePromptActivationTests
{
    private static readonly Actor Admin = new("admin-1", "admin@example.com", IsAdmin: true);

    [Fact]
    public async Task NextPhaseRun_AfterNewVersionAndAfterRollBack_UsesTheActiveVersion()
    {
        await using var app = await TestAppHost.StartAsync();
        var prompts = app.Get<IRolePromptService>();
        var member = await app.CreateUserAsync("member@example.com");
        var saved = await prompts.CreateVersionAsync(Admin, AiRole.QAssistant, DefaultRolePrompts.For(AiRole.QAssistant) + "\nAlways number the assumptions.", "Numbered assumptions", 1);

        var afterSave = await StartAndRunDiscoveryAsync(app, member);

        Assert.Equal((2, saved.Id), (afterSave.PromptVersion, afterSave.PromptId));
        await using (var db = await app.CreateDbContextAsync())
        {
            var system = await db.ConversationMessages.Where(m => m.PhaseRunId == afterSave.Id && m.Author == MessageAuthor.System).SingleAsync();
            Assert.EndsWith("Always number the assumptions.", system.Content);
        }

        var first = (await prompts.ListAsync(Admin)).Single(r => r.Role == AiRole.QAssistant).Versions.Single(v => v.Version == 1);
        await prompts.ActivateAsync(Admin, first.Id);

        var afterRollBack = await StartAndRunDiscoveryAsync(app, member);
        Assert.Equal(1, afterRollBack.PromptVersion);
    }

    [Fact]
    public async Task Activate_TwoAdminsRollBackToDifferentVersionsAtOnce_ExactlyOneVersionIsActive()
    {
        await using var app = await TestAppHost.StartAsync();
        var prompts = app.Get<IRolePromptService>();
        await prompts.CreateVersionAsync(Admin, AiRole.CodeWriter, "Two", "Two", 1);
        await prompts.CreateVersionAsync(Admin, AiRole.CodeWriter, "Three", "Three", 2);
        var versions = (await prompts.ListAsync(Admin)).Single(r => r.Role == AiRole.CodeWriter).Versions;

        for (var round = 0; round < 5; round++)
        {
            var outcomes = await Task.WhenAll(
                Attempt(() => prompts.ActivateAsync(Admin, versions.Single(v => v.Version == 1).Id)),
                Attempt(() => prompts.ActivateAsync(Admin, versions.Single(v => v.Version == 2).Id)));

            Assert.Contains(outcomes, ok => ok);
            await using var db = await app.CreateDbContextAsync();
            Assert.Single(await db.RolePrompts.Where(p => p.Role == AiRole.CodeWriter && p.IsActive).ToListAsync());

            // Back to version 3 for the next round.
            await prompts.ActivateAsync(Admin, versions.Single(v => v.Version == 3).Id);
        }
    }

    private static async Task<bool> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (DomainException)
        {
            // The loser is told clearly (conflict, or "already active"); that is the allowed outcome.
            return false;
        }
    }

    private static async Task<PhaseRun> StartAndRunDiscoveryAsync(TestAppHost app, Actor member)
    {
        var buildId = await app.Get<IBuildCommands>().StartAsync(member, new NewBuildRequest("Prompts", "Invoice reminders", "Customers receive an email reminder seven days before an invoice is due."));
        return await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
    }
}
