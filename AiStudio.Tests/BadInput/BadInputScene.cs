using AiStudio.Core.ApiTokens;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// One real Core host on a SQLite file per test class, with Alice (owner of a project with a build awaiting
/// approval), Bob (the owner of another project, build and token: the foreign ids) and an administrator.
/// The builds wait for a person, so nothing moves in the background while a row compares the database.
/// </summary>
public sealed class BadInputScene : IAsyncLifetime
{
    public const string GoodRequirements = "Finance needs every month's invoices exported as one CSV file.";

    private TestAppHost? _host;

    public TestAppHost Host => _host ?? throw new InvalidOperationException("The host has not started.");
    public Actor Alice { get; private set; } = null!;
    public Actor Bob { get; private set; } = null!;
    public Actor Admin { get; private set; } = null!;
    public Guid AliceProject { get; private set; }
    public Guid AliceBuild { get; private set; }
    public Guid BobProject { get; private set; }
    public Guid BobBuild { get; private set; }
    public Guid BobRun { get; private set; }
    public Guid BobToken { get; private set; }

    public IBuildCommands Commands => Host.Get<IBuildCommands>();
    public IBuildQueries Queries => Host.Get<IBuildQueries>();
    public IProjectService Projects => Host.Get<IProjectService>();

    public async Task InitializeAsync()
    {
        _host = await TestAppHost.StartAsync();
        Alice = await Host.CreateUserAsync("alice@badinput.test");
        Bob = await Host.CreateUserAsync("bob@badinput.test");
        Admin = await Host.CreateUserAsync("admin@badinput.test", isAdmin: true);

        AliceBuild = await StartAwaitingAsync(Alice, "Website");
        AliceProject = (await Queries.GetAsync(Alice, AliceBuild))!.ProjectId;
        BobBuild = await StartAwaitingAsync(Bob, "Bob's secret project");
        var bobs = (await Queries.GetAsync(Bob, BobBuild))!;
        BobProject = bobs.ProjectId;
        BobRun = bobs.CurrentRun!.Id;
        BobToken = (await Host.Get<IApiTokenService>().CreateAsync(Bob, "Bob's token")).Token.Id;
    }

    /// <summary>Starts a build and waits until its Discovery attempt awaits approval.</summary>
    public async Task<Guid> StartAwaitingAsync(Actor actor, string project, string title = "Invoice export", string requirements = GoodRequirements)
    {
        var id = await Commands.StartAsync(actor, new NewBuildRequest(project, title, requirements));
        await Host.ForRunAsync(id, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        return id;
    }

    public async Task<BuildDetails> AliceBuildAsync() => (await Queries.GetAsync(Alice, AliceBuild))!;

    public async Task<int> AliceProjectVersionAsync() => (await Projects.GetAsync(Alice, AliceProject))!.Version;

    public async Task<int> LatestPromptVersionAsync(AiRole role) =>
        (await Host.Get<IRolePromptService>().ListAsync(Admin)).Single(r => r.Role == role).LatestVersion;

    public Task<DatabaseSnapshot> SnapshotAsync() => DatabaseSnapshot.TakeAsync(Host.Services);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
