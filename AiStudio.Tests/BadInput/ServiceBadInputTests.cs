using AiStudio.Core.ApiTokens;
using AiStudio.Core.Artifacts;
using AiStudio.Core.Audit;
using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using AiStudio.Core.Users;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// Every field, enum and id that reaches a Core service, with every bad value, through the real services on a
/// real database (SQLite, or PostgreSQL in its pass): each is refused with a message that names the field, and the
/// database is exactly as before (rows, versions, audit trail).
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ServiceBadInputTests(BadInputScene scene) : IClassFixture<BadInputScene>
{
    public static TheoryData<string, string> RefusedText => ServiceFields.RefusedRows();

    [Theory]
    [MemberData(nameof(RefusedText))]
    public async Task TextField_BadValue_RefusedWithTheFieldsMessageAndNothingChanged(string field, string value)
    {
        var target = ServiceFields.Named(field);
        var before = await scene.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<InputValidationException>(() => target.Submit(scene, BadText.Value(value)));

        var message = Assert.Single(Assert.Contains(target.ErrorKey, refused.Errors));
        Assert.Contains(BadText.ExpectedWording(value), message);
        Assert.InRange(message.Length, 10, 300);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    private static readonly Dictionary<string, (string Key, Func<BadInputScene, Task> Act)> OutOfRange = new()
    {
        ["approval policy 99"] = ("Policy", s => Start(s, new BuildGovernance((ApprovalPolicy)99))),
        ["approval policy -1"] = ("Policy", s => Start(s, new BuildGovernance((ApprovalPolicy)(-1)))),
        ["rework cap -1"] = ("ReworkCap", s => Start(s, new BuildGovernance(ReworkCap: -1))),
        ["rework cap 21"] = ("ReworkCap", s => Start(s, new BuildGovernance(ReworkCap: BuildGovernance.MaxReworkCap + 1))),
        ["rework cap int.MaxValue"] = ("ReworkCap", s => Start(s, new BuildGovernance(ReworkCap: int.MaxValue))),
        ["cost budget -0.01"] = ("CostBudget", s => Start(s, new BuildGovernance(CostBudget: -0.01m))),
        ["cost budget decimal.MaxValue"] = ("CostBudget", s => Start(s, new BuildGovernance(CostBudget: decimal.MaxValue))),
        ["member role 99"] = ("Role", async s => await s.Projects.AddMemberAsync(s.Alice, s.AliceProject, await s.AliceProjectVersionAsync(), s.Bob.DisplayName, (ProjectRole)99)),
        ["changed role -1"] = ("Role", async s => await s.Projects.ChangeRoleAsync(s.Alice, s.AliceProject, await s.AliceProjectVersionAsync(), s.Alice.UserId, (ProjectRole)(-1))),
        ["approvals needed 0"] = ("RequiredApprovals", s => Settings(s, 0)),
        ["approvals needed 6"] = ("RequiredApprovals", s => Settings(s, ApprovalRules.MaxApprovals + 1)),
        ["approvals needed int.MinValue"] = ("RequiredApprovals", s => Settings(s, int.MinValue)),
        ["send-back phase 0"] = ("TargetPhase", s => Decide(s, new Verdict.SendBack(0, "Start again."))),
        ["send-back phase 99"] = ("TargetPhase", s => Decide(s, new Verdict.SendBack((Phase)99, "Start again."))),
        ["prompt role 99"] = ("Role", s => s.Host.Get<IRolePromptService>().CreateVersionAsync(s.Admin, (AiRole)99, "You are a poet.", "Why not.", 0)),
        ["audit page size 0"] = ("PageSize", s => s.Host.Get<IAuditQueries>().GetPageAsync(s.Admin, new AuditPageRequest(AuditFilter.None, PageSize: 0))),
        ["audit page size 1,000,000"] = ("PageSize", s => s.Host.Get<IAuditQueries>().GetPageAsync(s.Admin, new AuditPageRequest(AuditFilter.None, PageSize: 1_000_000))),
        ["audit from after to"] = ("To", s => s.Host.Get<IAuditQueries>().GetPageAsync(s.Admin,
            new AuditPageRequest(new AuditFilter(From: DateTimeOffset.UtcNow, To: DateTimeOffset.UtcNow.AddDays(-1))))),
        ["audit action only *"] = ("Action", s => s.Host.Get<IAuditQueries>().GetPageAsync(s.Admin, new AuditPageRequest(new AuditFilter(Action: "**")))),
    };

    public static TheoryData<string> OutOfRangeRows => new(OutOfRange.Keys);

    [Theory]
    [MemberData(nameof(OutOfRangeRows))]
    public async Task EnumOrNumber_OutOfRange_RefusedWithTheAllowedValuesAndNothingChanged(string row)
    {
        var (key, act) = OutOfRange[row];
        var before = await scene.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<InputValidationException>(() => act(scene));

        Assert.NotEmpty(Assert.Single(Assert.Contains(key, refused.Errors)));
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    private const string Garbage = "'; DROP TABLE AspNetUsers; --";

    private static readonly Dictionary<string, Func<BadInputScene, Task>> ForeignIds = new()
    {
        ["approve Bob's build"] = async s => await s.Commands.ApproveAsync(s.Alice, s.BobBuild, s.BobRun, 1),
        ["approve a build that does not exist"] = async s => await s.Commands.ApproveAsync(s.Alice, Guid.NewGuid(), Guid.NewGuid(), 1),
        ["approve Bob's run in Alice's build"] = async s => await s.Commands.ApproveAsync(s.Alice, s.AliceBuild, s.BobRun, (await s.AliceBuildAsync()).Version),
        ["approve the empty run id"] = async s => await s.Commands.ApproveAsync(s.Alice, s.AliceBuild, Guid.Empty, (await s.AliceBuildAsync()).Version),
        ["pause Bob's build"] = s => s.Commands.PauseAsync(s.Alice, s.BobBuild, 1),
        ["resume Bob's build"] = s => s.Commands.ResumeAsync(s.Alice, s.BobBuild, 1),
        ["retry Bob's build"] = s => s.Commands.RetryAsync(s.Alice, s.BobBuild, 1),
        ["cancel Bob's build"] = s => s.Commands.CancelAsync(s.Alice, s.BobBuild, 1, "Mine now."),
        ["start a build in Bob's project"] = s => s.Commands.StartAsync(s.Alice,
            new NewBuildRequest("", "Invoice export", BadInputScene.GoodRequirements, ProjectId: s.BobProject)),
        ["add a member to Bob's project"] = s => s.Projects.AddMemberAsync(s.Alice, s.BobProject, 0, s.Alice.DisplayName, ProjectRole.Owner),
        ["change settings of Bob's project"] = s => s.Projects.UpdateSettingsAsync(s.Alice, s.BobProject, 0, new ApprovalRules(true, 2)),
        ["remove Bob from his project"] = s => s.Projects.RemoveMemberAsync(s.Alice, s.BobProject, 0, s.Bob.UserId),
        ["change the role of a member who does not exist"] = async s =>
            await s.Projects.ChangeRoleAsync(s.Alice, s.AliceProject, await s.AliceProjectVersionAsync(), Garbage, ProjectRole.Viewer),
        ["remove a member who does not exist"] = async s =>
            await s.Projects.RemoveMemberAsync(s.Alice, s.AliceProject, await s.AliceProjectVersionAsync(), Guid.NewGuid().ToString()),
        ["revoke Bob's token"] = s => s.Host.Get<IApiTokenService>().RevokeAsync(s.Alice, s.BobToken),
        ["revoke a token that does not exist"] = s => s.Host.Get<IApiTokenService>().RevokeAsync(s.Alice, Guid.NewGuid()),
        ["open a prompt version that does not exist"] = s => s.Host.Get<IRolePromptService>().GetAsync(s.Admin, Guid.NewGuid()),
        ["activate a prompt version that does not exist"] = s => s.Host.Get<IRolePromptService>().ActivateAsync(s.Admin, Guid.NewGuid()),
        ["lock a user who does not exist"] = s => s.Host.Get<IUserAdminService>().LockAsync(s.Admin, Garbage),
        ["make admin a user who does not exist"] = s => s.Host.Get<IUserAdminService>().PromoteAsync(s.Admin, Guid.NewGuid().ToString()),
    };

    public static TheoryData<string> ForeignIdRows => new(ForeignIds.Keys);

    [Theory]
    [MemberData(nameof(ForeignIdRows))]
    public async Task Command_ForeignOrMissingId_NotFoundAndNothingChanged(string row)
    {
        var before = await scene.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<NotFoundException>(() => ForeignIds[row](scene));

        Assert.EndsWith("was not found.", refused.Message);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    [Theory]
    [InlineData("Enterprise")]
    [InlineData(BadText.Megabyte)]
    [InlineData(BadText.ControlCharacters)]
    [InlineData(BadText.ScriptTag)]
    public async Task Checkout_UnknownPlan_ShortMessageAndNothingChanged(string plan)
    {
        var name = plan == "Enterprise" ? plan : BadText.Value(plan);
        var before = await scene.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            scene.Host.Get<IBillingService>().StartCheckoutAsync(scene.Alice, name, "http://localhost/"));

        Assert.Contains("plan", refused.Message);
        Assert.InRange(refused.Message.Length, 10, 300);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    [Fact]
    public async Task Queries_ForeignOrMissingIds_AnswerNothing()
    {
        var artifacts = scene.Host.Get<IArtifactService>();
        var audit = scene.Host.Get<IAuditQueries>();

        Assert.Null(await scene.Queries.GetAsync(scene.Alice, scene.BobBuild));
        Assert.Null(await scene.Queries.GetAsync(scene.Alice, Guid.NewGuid()));
        Assert.Null(await scene.Queries.InspectRunAsync(scene.Alice, scene.BobBuild, scene.BobRun));
        Assert.Null(await scene.Queries.InspectRunAsync(scene.Alice, scene.AliceBuild, scene.BobRun));
        Assert.Null(await artifacts.GetPhaseArtifactsAsync(scene.Alice, scene.BobBuild, scene.BobRun));
        Assert.Null(await artifacts.GetPhaseArtifactsAsync(scene.Alice, scene.AliceBuild, scene.BobRun));
        Assert.Null(await artifacts.ExportBuildAsync(scene.Alice, scene.BobBuild));
        Assert.Null(await scene.Projects.GetAsync(scene.Alice, scene.BobProject));
        Assert.Null(await audit.GetAsync(scene.Admin, -1));
        Assert.Null(await audit.GetAsync(scene.Admin, long.MaxValue));
        Assert.DoesNotContain(await scene.Queries.GetProjectNamesAsync(scene.Alice), n => n.Contains("Bob"));

        // The ids are real: Bob sees all of it.
        Assert.NotNull(await scene.Queries.GetAsync(scene.Bob, scene.BobBuild));
        Assert.NotNull(await scene.Queries.InspectRunAsync(scene.Bob, scene.BobBuild, scene.BobRun));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task Command_GarbageExpectedVersion_ConflictAndNothingChanged(int version)
    {
        var before = await scene.SnapshotAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => scene.Commands.PauseAsync(scene.Alice, scene.AliceBuild, version));

        Assert.Equal(before, await scene.SnapshotAsync());
    }

    private static Task Start(BadInputScene s, BuildGovernance governance) =>
        s.Commands.StartAsync(s.Alice, new NewBuildRequest("Website", "Invoice export", BadInputScene.GoodRequirements, governance));

    private static async Task Settings(BadInputScene s, int approvals) =>
        await s.Projects.UpdateSettingsAsync(s.Alice, s.AliceProject, await s.AliceProjectVersionAsync(), new ApprovalRules(false, approvals));

    private static async Task Decide(BadInputScene s, Verdict verdict)
    {
        var build = await s.AliceBuildAsync();
        await s.Commands.DecideAsync(s.Alice, s.AliceBuild, build.CurrentRun!.Id, build.Version, verdict);
    }
}
