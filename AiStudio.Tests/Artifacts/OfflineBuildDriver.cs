using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Artifacts;

/// <summary>Carries a build through the real commands and the offline model, one decision per phase.</summary>
internal sealed class OfflineBuildDriver(IServiceProvider services, Actor actor)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private IBuildCommands Commands => services.GetRequiredService<IBuildCommands>();
    private IBuildQueries Queries => services.GetRequiredService<IBuildQueries>();

    public Task<Guid> StartAsync(string title, string requirements) =>
        Commands.StartAsync(actor, new NewBuildRequest("Billing", title, requirements));

    /// <summary>Waits until the current attempt of <paramref name="phase"/> awaits approval, then applies the verdict.</summary>
    public async Task<PhaseRunView> DecideAsync(Guid buildId, Phase phase, Verdict verdict)
    {
        var build = await AwaitApprovalAsync(buildId, phase);
        var run = build.CurrentRun!;
        await Commands.DecideAsync(actor, buildId, run.Id, build.Version, verdict);
        return run;
    }

    public async Task<BuildDetails> AwaitApprovalAsync(Guid buildId, Phase phase)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var build = await Queries.GetAsync(actor, buildId) ?? throw new InvalidOperationException("The build is not visible to its own starter.");
            if (build.AwaitsApproval && build.CurrentPhase == phase)
            {
                return build;
            }

            if (build.State is BuildState.Failed or BuildState.Cancelled || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{phase} never awaited approval; the build is {build.State}: {build.StatusReason}");
            }

            await Task.Delay(50);
        }
    }
}
