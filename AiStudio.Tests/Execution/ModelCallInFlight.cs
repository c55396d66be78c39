using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Execution;

/// <summary>A build whose first phase run is Running, its model call made and held by the model server stand-in.</summary>
internal static class ModelCallInFlight
{
    public const string Requirements = "Customers receive an email reminder seven days before an invoice is due. Finance can switch reminders off per customer.";

    public static async Task<(Actor Actor, Guid BuildId, PhaseRun Running)> StartAsync(TestAppHost app, FakeOpenAiServer server)
    {
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));
        var running = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Running);
        await Eventually.Until(() => Task.FromResult(server.Requests.Count == 1), RunWaits.Timeout, "the model should have been called");
        return (actor, buildId, running);
    }
}
