using AiStudio.Core.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AiStudio.Core.Execution;

internal static class ExecutionRegistration
{
    public static IServiceCollection AddExecution(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton<PhaseRunExecutor>();
        services.AddSingleton<PhaseRunRecovery>();
        services.AddSingleton<IPhaseRunScheduler, QuartzPhaseRunScheduler>();
        services.AddHostedService<StartupTasks>();

        // Non-clustered: SQLite cannot serve a clustered store. Many nodes: SQL Server/PostgreSQL + UseClustering.
        services.AddQuartz(q =>
        {
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = 4);

            // Quartz abandons running jobs on shutdown unless told otherwise; cancel them instead, so that an
            // execution stops with its host and its run is left Running for start-up recovery to requeue.
            q.ConfigureScheduler(o => o.ShutdownJobInterruption = ShutdownJobInterruption.WhenNotWaitingForJobs);
            q.UsePersistentStore(store =>
            {
                store.UseSqlite(settings.JobStoreConnectionString);
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        return services;
    }
}
