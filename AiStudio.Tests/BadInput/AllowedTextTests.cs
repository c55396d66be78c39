using AiStudio.Core.ApiTokens;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// Text that looks dangerous but is legitimate content (markup, SQL, every script and emoji): stored exactly as
/// typed, and read back exactly, through the real services. How it is shown is checked over HTTP and in Chromium.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AllowedTextTests(BadInputScene scene) : IClassFixture<BadInputScene>
{
    public static TheoryData<string> AllowedValues => new(BadText.Allowed);

    [Theory]
    [MemberData(nameof(AllowedValues))]
    public async Task StartBuild_AllowedText_ProjectTitleAndRequirementsStoredExactly(string name)
    {
        var value = BadText.Value(name);

        var id = await scene.StartAwaitingAsync(scene.Alice, value, value, value);

        var build = (await scene.Queries.GetAsync(scene.Alice, id))!;
        Assert.Equal(value, build.ProjectName);
        Assert.Equal(value, build.Title);
        Assert.Equal(value, build.Requirements);
        Assert.Contains(await scene.Queries.GetBoardAsync(scene.Alice), c => c.Id == id && c.Title == value && c.ProjectName == value);
        Assert.Contains(value, await scene.Queries.GetProjectNamesAsync(scene.Alice));
    }

    [Theory]
    [MemberData(nameof(AllowedValues))]
    public async Task Verdicts_AllowedText_ReasonsAndEditsStoredExactly(string name)
    {
        var value = BadText.Value(name);
        var id = await scene.StartAwaitingAsync(scene.Bob, "Verdicts");

        var build = (await scene.Queries.GetAsync(scene.Bob, id))!;
        await scene.Commands.DecideAsync(scene.Bob, id, build.CurrentRun!.Id, build.Version, new Verdict.Reject(value));
        var second = await scene.Host.ForRunAsync(id, Phase.Discovery, 2, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(value, second.Feedback);

        build = (await scene.Queries.GetAsync(scene.Bob, id))!;
        await scene.Commands.DecideAsync(scene.Bob, id, second.Id, build.Version, new Verdict.Approve(value));
        await scene.Host.ForRunAsync(id, Phase.Planning, 1, PhaseRunStatus.AwaitingApproval);
        build = (await scene.Queries.GetAsync(scene.Bob, id))!;
        Assert.Equal(value, build.Runs.Single(r => r.Id == second.Id).EditedOutput);

        await scene.Commands.CancelAsync(scene.Bob, id, build.Version, value);
        build = (await scene.Queries.GetAsync(scene.Bob, id))!;
        Assert.EndsWith(": " + value, build.StatusReason);

        var page = await scene.Host.Get<IAuditQueries>().GetPageAsync(scene.Admin, new AuditPageRequest(new AuditFilter(BuildId: id)));
        Assert.Contains(page.Items, e => e.Action == AuditActions.PhaseRejected && e.Detail!.EndsWith(value, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllowedValues))]
    public async Task TokensProjectsAndPrompts_AllowedText_StoredExactly(string name)
    {
        var value = BadText.Value(name);

        var token = await scene.Host.Get<IApiTokenService>().CreateAsync(scene.Bob, value);
        Assert.Contains(await scene.Host.Get<IApiTokenService>().ListAsync(scene.Bob), t => t.Id == token.Token.Id && t.Name == value);

        var project = await scene.Projects.CreateAsync(scene.Bob, value);
        Assert.Equal(value, (await scene.Projects.GetAsync(scene.Bob, project))!.Name);

        var prompts = scene.Host.Get<IRolePromptService>();
        var version = await prompts.CreateVersionAsync(scene.Admin, AiRole.ReleaseManager, value, value, await scene.LatestPromptVersionAsync(AiRole.ReleaseManager));
        var stored = await prompts.GetAsync(scene.Admin, version.Id);
        Assert.Equal(value, stored.Text);
        Assert.Equal(value, stored.Summary.ChangeNote);

        // Searching for such text is a search, not an error.
        await scene.Host.Get<IAuditQueries>().GetPageAsync(scene.Admin, new AuditPageRequest(new AuditFilter(Actor: value, Action: value)));
    }
}
