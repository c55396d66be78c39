using System.IO.Compression;
using AiStudio.Core.Artifacts;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;

namespace AiStudio.Tests.Artifacts;

public sealed class ArtifactFilesTests
{
    private const string CodeWriterOutput = """
        _Written by the offline model from your requirements._

        # Source code: Invoice reminders

        Files:

        - `src/InvoiceReminders/InvoiceRemindersService.cs`: the operations (R1, R2)
        - `src/InvoiceReminders/IInvoiceRemindersStore.cs`: where invoice records are kept

        ### src/InvoiceReminders/InvoiceRemindersService.cs

        ```csharp
        namespace InvoiceReminders;

        public sealed class InvoiceRemindersService(IInvoiceRemindersStore store)
        {
        }
        ```

        **File:** `src/InvoiceReminders/IInvoiceRemindersStore.cs`

        ```csharp
        namespace InvoiceReminders;

        public interface IInvoiceRemindersStore;
        ```

        ```json
        // appsettings.json
        { "Reminders": { "DaysBefore": 7 } }
        ```

        ### ../../etc/passwd

        ```text
        root:x:0:0
        ```

        ```csharp
        // /abs/x.cs
        class X;
        ```

        ### C:\Windows\System32\evil.cs

        ```csharp
        class Evil;
        ```

        A command to run it:

        ```bash
        dotnet run
        ```

        ## Decisions

        - Time comes from `TimeProvider`.
        """;

    [Theory]
    [InlineData(Phase.Discovery, "requirements_document.md", "text/markdown")]
    [InlineData(Phase.Planning, "implementation_plan.md", "text/markdown")]
    [InlineData(Phase.Implementation, "source_code.md", "text/markdown")]
    [InlineData(Phase.Testing, "test_cases.md", "text/markdown")]
    [InlineData(Phase.Verification, "verification_report.md", "text/markdown")]
    [InlineData(Phase.Deployment, "deployment_config.yml", "application/yaml")]
    public void For_EachPhase_NamesTheDocumentAsThePhaseHandsItOn(Phase phase, string name, string contentType)
    {
        var files = ArtifactFiles.For(phase, "# A document\n\nNo code here.\n");

        var file = Assert.Single(files);
        Assert.Equal(name, file.Name);
        Assert.Equal(contentType, file.ContentType);
        Assert.Equal("# A document\n\nNo code here.\n", file.ReadText());
    }

    [Fact]
    public void For_NoOutput_GivesNoFiles()
    {
        Assert.Empty(ArtifactFiles.For(Phase.Discovery, null));
        Assert.Empty(ArtifactFiles.For(Phase.Implementation, "  \n"));
    }

    [Fact]
    public void For_CodeWriterOutput_ExtractsEachFencedFileWithItsPath()
    {
        var files = ArtifactFiles.For(Phase.Implementation, CodeWriterOutput);

        Assert.Equal(
            [
                "source_code.md",
                "src/InvoiceReminders/InvoiceRemindersService.cs",
                "src/InvoiceReminders/IInvoiceRemindersStore.cs",
                "appsettings.json",
                "etc/passwd",
                "abs/x.cs",
                "Windows/System32/evil.cs",
                "file_1.sh",
            ],
            files.Select(f => f.Name));
        Assert.Equal(CodeWriterOutput, files[0].ReadText());
        Assert.StartsWith("namespace InvoiceReminders;\n\npublic sealed class InvoiceRemindersService", files[1].ReadText());
        Assert.EndsWith("}\n", files[1].ReadText());
        Assert.Equal("text/x-csharp", files[1].ContentType);
        Assert.Equal("application/json", files[3].ContentType);
        Assert.Equal("dotnet run\n", files[7].ReadText());
    }

    [Theory]
    [InlineData("../../etc/passwd", "etc/passwd")]
    [InlineData("/abs/x.cs", "abs/x.cs")]
    [InlineData(@"C:\Users\me\..\secret.cs", "Users/me/secret.cs")]
    [InlineData("src/./a b/<x>.cs", "src/a_b/_x_.cs")]
    [InlineData("..\\..\\..", null)]
    [InlineData("src/CON.cs", "src/_CON.cs")]
    [InlineData("file:///etc/hosts", "etc/hosts")]
    public void Sanitize_UntrustedPath_StaysInsideItsFolder(string path, string? expected)
    {
        Assert.Equal(expected, SafePath.Sanitize(path));
    }

    [Fact]
    public void For_ExtractedNames_NeverClimbOrStartAtTheRoot()
    {
        var files = ArtifactFiles.For(Phase.Implementation, CodeWriterOutput);

        Assert.All(files, f =>
        {
            Assert.DoesNotContain("..", f.Name.Split('/'));
            Assert.False(Path.IsPathRooted(f.Name), f.Name);
            Assert.DoesNotContain(':', f.Name);
            Assert.DoesNotContain('\\', f.Name);
            Assert.Matches(@"^[A-Za-z0-9._\-/]+$", f.Name);
        });
    }

    [Fact]
    public void For_SamePathTwice_KeepsBothUnderDistinctNames()
    {
        const string output = "### src/A.cs\n\n```csharp\nclass A1;\n```\n\n### src/A.cs\n\n```csharp\nclass A2;\n```\n";

        var files = ArtifactFiles.For(Phase.Implementation, output);

        Assert.Equal(["source_code.md", "src/A.cs", "src/A-2.cs"], files.Select(f => f.Name));
        Assert.Equal("class A2;\n", files[2].ReadText());
    }

    [Fact]
    public void For_PathInFenceInfoOrHashComment_IsUsed()
    {
        const string output = "```csharp title=\"src/Info.cs\"\nclass Info;\n```\n\n```yaml\n# deploy/app.yml\nservice: x\n```\n\n```python\n#!/usr/bin/env python\nprint(1)\n```\n";

        var files = ArtifactFiles.For(Phase.Implementation, output);

        Assert.Equal(["source_code.md", "src/Info.cs", "deploy/app.yml", "file_1.py"], files.Select(f => f.Name));
        Assert.Equal("application/yaml", files[2].ContentType);
    }

    [Fact]
    public void For_LongerFenceAroundBackticks_KeepsTheInnerFenceAsContent()
    {
        const string output = "### docs/README.md\n\n````markdown\nUse it:\n\n```bash\nrun\n```\n````\n";

        var files = ArtifactFiles.For(Phase.Implementation, output);

        Assert.Equal(["source_code.md", "docs/README.md"], files.Select(f => f.Name));
        Assert.Equal("Use it:\n\n```bash\nrun\n```\n", files[1].ReadText());
    }

    [Fact]
    public void For_TestingOutput_ExtractsOnlyBlocksThatNameAFile()
    {
        const string output = "# Test cases\n\n| ID | Steps |\n|---|---|\n| TC-01a | call it |\n\n### tests/Orders.Tests/OrderServiceTests.cs\n\n```csharp\npublic sealed class OrderServiceTests;\n```\n\nRun with:\n\n```bash\ndotnet test\n```\n\nVerdict: PASS\n";

        var files = ArtifactFiles.For(Phase.Testing, output);

        Assert.Equal(["test_cases.md", "tests/Orders.Tests/OrderServiceTests.cs"], files.Select(f => f.Name));
        Assert.Equal(output, files[0].ReadText());
    }

    [Fact]
    public void For_DeploymentWithYamlBlock_GivesTheBlockContent()
    {
        const string output = "# Deployment configuration\n\nFor **Orders**.\n\n```yaml\nservice: orders\nport: 8080\n```\n\n## Rollout\n\n1. Staging first.\n";

        var file = Assert.Single(ArtifactFiles.For(Phase.Deployment, output));

        Assert.Equal("deployment_config.yml", file.Name);
        Assert.Equal("service: orders\nport: 8080\n", file.ReadText());
    }

    [Fact]
    public void For_DeploymentWithSeveralYamlBlocks_JoinsThemAsYamlDocuments()
    {
        const string output = "```yaml\nservice: a\n```\n\ntext\n\n```yml\nservice: b\n```\n";

        var file = Assert.Single(ArtifactFiles.For(Phase.Deployment, output));

        Assert.Equal("service: a\n---\nservice: b\n", file.ReadText());
    }

    [Fact]
    public void For_DeploymentWithoutYamlBlock_GivesTheWholeOutput()
    {
        const string output = "Deploy by hand: copy the files.\n";

        var file = Assert.Single(ArtifactFiles.For(Phase.Deployment, output));

        Assert.Equal(output, file.ReadText());
    }

    [Fact]
    public void ForRun_HumanEditedOutput_WinsOverTheModelOutput()
    {
        var run = Run(Phase.Implementation, output: "### src/Model.cs\n\n```csharp\nclass Model;\n```\n", edited: "### src/Human.cs\n\n```csharp\nclass Human;\n```\n");

        var files = ArtifactFiles.ForRun(run);

        Assert.Equal(["source_code.md", "src/Human.cs"], files.Select(f => f.Name));
        Assert.Equal(run.EditedOutput, files[0].ReadText());
    }

    [Theory]
    [InlineData("Invoice reminders", "invoice-reminders")]
    [InlineData("  Crème brûlée: v2!! ", "creme-brulee-v2")]
    [InlineData("???", "build")]
    public void Slug_Title_GivesAFileNameSafeSlug(string title, string expected)
    {
        Assert.Equal(expected, ArtifactFiles.Slug(title));
    }

    [Fact]
    public void ZipOf_SameFiles_GivesTheSameBytesInTheGivenOrder()
    {
        ArtifactFile[] files = [ArtifactFile.Text("b.md", ArtifactFiles.Markdown, "b"), ArtifactFile.Text("a/c.cs", "text/x-csharp", "c")];
        var stamp = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

        var first = ArtifactFiles.ZipOf(files, stamp);
        var second = ArtifactFiles.ZipOf(files, stamp);

        Assert.Equal(first, second);
        using var zip = new ZipArchive(new MemoryStream(first));
        Assert.Equal(["b.md", "a/c.cs"], zip.Entries.Select(e => e.FullName));
    }

    internal static PhaseRunView Run(Phase phase, string? output, string? edited = null) => new(
        Guid.NewGuid(), phase, phase.Role(), 1, PhaseRunStatus.Approved, output, null, null, "Offline", "offline", 1,
        10, 20, 5, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "alice@example.com", edited, edited is null ? null : "alice@example.com");
}
