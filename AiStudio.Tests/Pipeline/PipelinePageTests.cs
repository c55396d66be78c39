using AiStudio.Core.Builds;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Pipeline;
using Bunit;

namespace AiStudio.Tests.Pipeline;

public sealed class PipelinePageTests : ComponentTestBase
{
    [Fact]
    public void Render_Always_ListsEveryTransitionWithCount()
    {
        var cut = Render<PipelinePage>();

        var rows = cut.FindAll("tbody tr");
        Assert.Equal(55, rows.Count);
        Assert.Equal("55 transitions between 11 states", cut.Find(".transition-count").TextContent.Trim());
        var first = rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["Created", "Start", "Discovery"], first);
        Assert.Contains(rows, r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).SequenceEqual(["Testing", "Send back", "Discovery"]));
    }

    [Fact]
    public void Render_Always_ShowsMermaidTextAndDrawsIt()
    {
        var module = JSInterop.SetupModule("./Components/Pages/Pipeline/PipelinePage.razor.js");
        module.SetupVoid("renderDiagram", _ => true).SetVoidResult();

        var cut = Render<PipelinePage>();

        var source = cut.Find("pre.mermaid-source").TextContent;
        Assert.Contains("Created --> Discovery", source);
        Assert.Equal(PipelineStateMachine.ToMermaid(), source);
        var call = module.VerifyInvoke("renderDiagram");
        Assert.Equal(PipelineStateMachine.ToMermaid(), call.Arguments[1]);
        Assert.EndsWith("mermaid.min.js", (string)call.Arguments[2]!);
    }
}
