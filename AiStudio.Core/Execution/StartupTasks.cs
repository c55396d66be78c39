using AiStudio.Core.Persistence;
using Microsoft.Extensions.Hosting;

namespace AiStudio.Core.Execution;

/// <summary>
/// Runs before the job engine and the web server start (hosted services start in registration order):
/// migrate and seed the database, then put interrupted work back in the queue.
/// </summary>
internal sealed class StartupTasks(DatabaseInitializer database, PhaseRunRecovery recovery) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.InitializeAsync(cancellationToken);
        await recovery.RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
