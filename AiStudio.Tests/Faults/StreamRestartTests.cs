using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds.Components;
using Bunit;

namespace AiStudio.Tests.Faults;

/// <summary>A model stream that broke and starts again: the page drops the half answer instead of showing it twice.</summary>
public sealed class StreamRestartTests : ComponentTestBase
{
    public override async Task InitializeAsync() => await UseRealCoreAsync();

    [Fact]
    public void RunOutput_StreamRestarted_ShowsOnlyTheNewAnswer()
    {
        var events = Host.Get<IBuildEvents>();
        var buildId = Guid.NewGuid();
        var run = new PhaseRunView(Guid.NewGuid(), Phase.Discovery, AiRole.QAssistant, 1, PhaseRunStatus.Running, null, null, null,
            "OpenAI", "fake-model", 1, 0, 0, null, DateTimeOffset.UtcNow, null, null);
        var cut = Render<RunOutput>(p => p.Add(r => r.Run, run));

        events.Publish(new RunOutputStreamed(buildId, run.Id, "Half of the first "));
        events.Publish(new RunOutputStreamed(buildId, run.Id, "try"));
        cut.WaitForAssertion(() => Assert.Contains("Half of the first try", cut.Find(".streaming").TextContent, StringComparison.Ordinal));

        events.Publish(new RunOutputStreamed(buildId, run.Id, "", Restarted: true));
        events.Publish(new RunOutputStreamed(buildId, run.Id, "The whole second answer."));

        cut.WaitForAssertion(() => Assert.Equal("The whole second answer.", cut.Find(".streaming").TextContent.Trim()));
        Assert.Equal("The whole second answer.", events.StreamedSoFar(run.Id));
    }
}
