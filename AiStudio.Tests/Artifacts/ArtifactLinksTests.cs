using AiStudio.Core.Builds;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds.Components;
using Bunit;

namespace AiStudio.Tests.Artifacts;

public sealed class ArtifactLinksTests : ComponentTestBase
{
    [Fact]
    public void Render_ImplementationAttempt_LinksEveryFileAndTheZip()
    {
        var buildId = Guid.NewGuid();
        var run = ArtifactFilesTests.Run(Phase.Implementation, "### src/App.cs\n\n```csharp\nclass App;\n```\n");

        var links = Render<ArtifactLinks>(p => p.Add(c => c.BuildId, buildId).Add(c => c.Run, run)).FindAll("a");

        Assert.Equal(["Download source_code.md", "Download src/App.cs", "Download all 2 files (zip)"], links.Select(a => a.TextContent.Trim()));
        Assert.Equal($"builds/{buildId}/runs/{run.Id}/artifacts/src/App.cs", links[1].GetAttribute("href"));
        Assert.Equal("App.cs", links[1].GetAttribute("download"));
        Assert.Equal($"builds/{buildId}/runs/{run.Id}/artifacts.zip", links[2].GetAttribute("href"));
    }

    [Fact]
    public void Render_AttemptWithoutOutput_RendersNothing()
    {
        var run = ArtifactFilesTests.Run(Phase.Discovery, output: null);

        var cut = Render<ArtifactLinks>(p => p.Add(c => c.BuildId, Guid.NewGuid()).Add(c => c.Run, run));

        Assert.Empty(cut.FindAll("a"));
    }

    [Fact]
    public void Render_BuildExportLink_OffersTheZip()
    {
        var buildId = Guid.NewGuid();

        var link = Render<BuildExportLink>(p => p.Add(c => c.BuildId, buildId)).Find("a");

        Assert.Equal("Export build (zip)", link.TextContent.Trim());
        Assert.Equal($"builds/{buildId}/export.zip", link.GetAttribute("href"));
        Assert.True(link.HasAttribute("download"));
    }
}
