using AiStudio.Core.Builds;

namespace AiStudio.Tests.Builds;

public sealed class PipelineDiagramTests
{
    private const string Start = "<!-- diagram:start -->";
    private const string End = "<!-- diagram:end -->";

    [Fact]
    public void ToMermaid_DocsPipelinePage_ShowsTheGeneratedDiagram()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "pipeline.md")).Replace("\r\n", "\n");
        var from = page.IndexOf(Start, StringComparison.Ordinal);
        var to = page.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"docs/pipeline.md must hold the diagram between {Start} and {End}.");

        var block = page[(from + Start.Length)..to].Trim('\n');
        var expected = "```mermaid\n" + PipelineStateMachine.ToMermaid().Replace("\r\n", "\n") + "```";

        Assert.True(expected == block,
            $"docs/pipeline.md is out of date with PipelineStateMachine. Put this between the markers:\n{expected}");
    }

    [Fact]
    public void ToMermaid_EveryTransition_AppearsAsALabelledEdge()
    {
        var lines = PipelineStateMachine.ToMermaid().Split('\n');

        foreach (var t in PipelineStateMachine.Transitions)
        {
            Assert.Contains(lines, l => l.StartsWith($"    {t.From} --> {t.To}: ", StringComparison.Ordinal)
                && l[(l.IndexOf(':') + 2)..].Split(", ").Contains(t.Trigger.ToString()));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiStudio.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No AiStudio.sln above {AppContext.BaseDirectory}.");
    }
}
