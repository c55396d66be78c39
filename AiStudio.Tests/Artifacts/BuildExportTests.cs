using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AiStudio.Core.Artifacts;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Artifacts;

/// <summary>One build carried through all six phases with a rejection and an edit, shared by the tests below.</summary>
public sealed class CompletedBuildFixture : IAsyncLifetime
{
    public const string RejectReason = "Add a requirement: finance staff can pause reminders per customer.";
    public const string EditedPlan = "# Implementation plan: Invoice reminders\n\nEdited by a person: one task per requirement, tests first.\n";

    public TestAppHost Host { get; private set; } = null!;
    public Actor Alice { get; private set; } = null!;
    public Actor Bob { get; private set; } = null!;
    public Actor Admin { get; private set; } = null!;
    public Guid BuildId { get; private set; }
    public PhaseRunView PlanningRun { get; private set; } = null!;
    public PhaseRunView ImplementationRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await TestAppHost.StartAsync();
        Alice = await Host.CreateUserAsync("alice@example.com");
        Bob = await Host.CreateUserAsync("bob@example.com");
        Admin = await Host.CreateUserAsync("admin@example.com", isAdmin: true);

        var driver = new OfflineBuildDriver(Host.Services, Alice);
        BuildId = await driver.StartAsync("Invoice reminders",
            "Customers receive an email reminder seven days before an invoice is due.\nEvery reminder sent is logged with its invoice number.");
        await driver.DecideAsync(BuildId, Phase.Discovery, new Verdict.Reject(RejectReason));
        await driver.DecideAsync(BuildId, Phase.Discovery, new Verdict.Approve());
        PlanningRun = await driver.DecideAsync(BuildId, Phase.Planning, new Verdict.Approve(EditedPlan));
        ImplementationRun = await driver.DecideAsync(BuildId, Phase.Implementation, new Verdict.Approve());
        await driver.DecideAsync(BuildId, Phase.Testing, new Verdict.Approve());
        await driver.DecideAsync(BuildId, Phase.Verification, new Verdict.Approve());
        await driver.DecideAsync(BuildId, Phase.Deployment, new Verdict.Approve());
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class BuildExportTests(CompletedBuildFixture fixture) : IClassFixture<CompletedBuildFixture>
{
    private IArtifactService Artifacts => fixture.Host.Get<IArtifactService>();

    [Fact]
    public async Task ExportBuildAsync_CompletedBuild_HasTheExpectedEntriesInOrder()
    {
        var export = await Artifacts.ExportBuildAsync(fixture.Alice, fixture.BuildId);

        Assert.NotNull(export);
        Assert.Equal("aistudio-build-invoice-reminders.zip", export.Name);
        Assert.Equal("application/zip", export.ContentType);
        using var zip = new ZipArchive(new MemoryStream(export.Content));
        var names = zip.Entries.Select(e => e.FullName).ToList();

        var implementation = names.Where(n => n.StartsWith("03-implementation/src/", StringComparison.Ordinal)).ToList();
        var testFiles = names.Where(n => n.StartsWith("04-testing/tests/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, implementation.Count);
        Assert.All(implementation, n => Assert.EndsWith(".cs", n));
        Assert.Single(testFiles);
        Assert.Equal(
            [
                "README.md",
                "01-discovery/requirements_document.md",
                "02-planning/implementation_plan.md",
                "02-planning/model_output.md",
                "03-implementation/source_code.md",
                .. implementation,
                "04-testing/test_cases.md",
                .. testFiles,
                "05-verification/verification_report.md",
                "06-deployment/deployment_config.yml",
                "decision-record.md",
                "build.json",
            ],
            names);
    }

    [Fact]
    public async Task ExportBuildAsync_ExtractedSourceFiles_MatchTheApprovedCode()
    {
        var entries = Entries((await Artifacts.ExportBuildAsync(fixture.Alice, fixture.BuildId))!);

        var code = fixture.ImplementationRun.Output!;
        Assert.Equal(code, entries["03-implementation/source_code.md"]);
        foreach (var (name, content) in entries.Where(e => e.Key.StartsWith("03-implementation/src/", StringComparison.Ordinal)))
        {
            Assert.Contains($"### {name["03-implementation/".Length..]}", code);
            Assert.Contains(content.TrimEnd(), code);
            Assert.DoesNotContain("```", content);
        }

        var yaml = entries["06-deployment/deployment_config.yml"];
        Assert.StartsWith("service: ", yaml);
        Assert.DoesNotContain("```", yaml);
        Assert.DoesNotContain("## Release notes", yaml);
    }

    [Fact]
    public async Task ExportBuildAsync_EditedPhase_ExportsTheEditAndKeepsTheModelOutput()
    {
        var entries = Entries((await Artifacts.ExportBuildAsync(fixture.Alice, fixture.BuildId))!);

        Assert.Equal(CompletedBuildFixture.EditedPlan, entries["02-planning/implementation_plan.md"]);
        Assert.Equal(fixture.PlanningRun.Output, entries["02-planning/model_output.md"]);
        Assert.NotEqual(CompletedBuildFixture.EditedPlan, fixture.PlanningRun.Output);
        Assert.DoesNotContain(entries.Keys, n => n.StartsWith("01-discovery/model_output", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExportBuildAsync_DecisionRecord_ListsEachAttemptWithItsApproverAndTheAuditEvents()
    {
        var record = Entries((await Artifacts.ExportBuildAsync(fixture.Alice, fixture.BuildId))!)["decision-record.md"];

        string[] attempts =
        [
            "### 1. Discovery, attempt 1: Rejected",
            "### 2. Discovery, attempt 2: Approved",
            "### 3. Planning, attempt 1: Approved",
            "### 4. Implementation, attempt 1: Approved",
            "### 5. Testing, attempt 1: Approved",
            "### 6. Verification, attempt 1: Approved",
            "### 7. Deployment, attempt 1: Approved",
        ];
        var positions = attempts.Select(a => record.IndexOf(a, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, record));
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(7, CountOf(record, "- **Decided by:** alice@example.com"));
        Assert.Contains($"- **Decision:** Discovery rejected: {CompletedBuildFixture.RejectReason}", record);
        Assert.Contains($"- **Feedback it addressed:** {CompletedBuildFixture.RejectReason}", record);
        Assert.Contains("- **Decision:** Planning approved with the reviewer's edits", record);
        Assert.Contains("- **Edited by:** alice@example.com", record);
        Assert.Contains("- **Model:** Offline/", record);
        Assert.Matches(@"- \*\*Tokens:\*\* [1-9]\d* in, [1-9]\d* out", record);
        Assert.Matches(@"- \*\*Decided at:\*\* \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record);

        Assert.Contains("## Audit events", record);
        Assert.Matches(@"\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| alice@example.com \| build.started \|", record);
        Assert.Contains("| phase.rejected |", record);
        Assert.Contains("| build.completed |", record);
    }

    [Fact]
    public async Task ExportBuildAsync_ReadmeAndSummary_DescribeTheBuild()
    {
        var entries = Entries((await Artifacts.ExportBuildAsync(fixture.Alice, fixture.BuildId))!);

        var readme = entries["README.md"];
        Assert.StartsWith("# Invoice reminders\n", readme);
        Assert.Contains("| Project | Billing |", readme);
        Assert.Contains("| State | Complete |", readme);
        Assert.Contains("| Started by | alice@example.com |", readme);
        Assert.Contains("Customers receive an email reminder seven days before an invoice is due.", readme);
        Assert.Contains("| Attempts | 7 |", readme);

        using var json = JsonDocument.Parse(entries["build.json"]);
        var root = json.RootElement;
        Assert.Equal(fixture.BuildId, root.GetProperty("id").GetGuid());
        Assert.Equal("Complete", root.GetProperty("state").GetString());
        Assert.Equal(7, root.GetProperty("runs").GetArrayLength());
        Assert.Equal(6, root.GetProperty("phases").GetArrayLength());
        Assert.Equal("alice@example.com", root.GetProperty("phases")[1].GetProperty("editedBy").GetString());
        Assert.EndsWith("Z", root.GetProperty("createdAt").GetString());
        Assert.True(root.GetProperty("auditEvents").GetArrayLength() >= 8);
    }

    [Fact]
    public async Task ExportBuildAsync_AnotherUsersBuild_IsNotFound()
    {
        Assert.Null(await Artifacts.ExportBuildAsync(fixture.Bob, fixture.BuildId));
        Assert.Null(await Artifacts.ExportBuildAsync(fixture.Alice, Guid.NewGuid()));
        Assert.NotNull(await Artifacts.ExportBuildAsync(fixture.Admin, fixture.BuildId));
    }

    [Fact]
    public async Task GetPhaseArtifactsAsync_Member_GetsTheAttemptsFiles()
    {
        var artifacts = await Artifacts.GetPhaseArtifactsAsync(fixture.Alice, fixture.BuildId, fixture.ImplementationRun.Id);

        Assert.NotNull(artifacts);
        Assert.Equal(Phase.Implementation, artifacts.Phase);
        Assert.Equal("source_code.md", artifacts.Files[0].Name);
        Assert.Equal(4, artifacts.Files.Count);
        Assert.Equal("aistudio-invoice-reminders-03-implementation-attempt-1.zip", artifacts.ZipName);
    }

    [Fact]
    public async Task GetPhaseArtifactsAsync_NotVisibleOrWrongBuild_IsNotFound()
    {
        Assert.Null(await Artifacts.GetPhaseArtifactsAsync(fixture.Bob, fixture.BuildId, fixture.ImplementationRun.Id));
        Assert.Null(await Artifacts.GetPhaseArtifactsAsync(fixture.Alice, Guid.NewGuid(), fixture.ImplementationRun.Id));
        Assert.Null(await Artifacts.GetPhaseArtifactsAsync(fixture.Alice, fixture.BuildId, Guid.NewGuid()));
    }

    [Fact]
    public async Task GetPhaseArtifactsAsync_EditedAttempt_GivesTheEditedVersion()
    {
        var artifacts = await Artifacts.GetPhaseArtifactsAsync(fixture.Alice, fixture.BuildId, fixture.PlanningRun.Id);

        var file = Assert.Single(artifacts!.Files);
        Assert.Equal("implementation_plan.md", file.Name);
        Assert.Equal(CompletedBuildFixture.EditedPlan, file.ReadText());
    }

    private static Dictionary<string, string> Entries(ArtifactFile zipFile)
    {
        using var zip = new ZipArchive(new MemoryStream(zipFile.Content));
        var entries = new Dictionary<string, string>();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            entries.Add(entry.FullName, reader.ReadToEnd());
        }

        return entries;
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
