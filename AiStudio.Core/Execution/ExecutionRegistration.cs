using AiStudio.Core.Observability;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AiStudio.Core.Execution;

internal static class ExecutionRegistration
{
    public static IServiceCollection AddExecution(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton<PhaseRunExecutor>();
        services.AddAiStudioTelemetry();
        services.AddSingleton<PhaseRunRecovery>();
        services.AddSingleton<IPhaseRunScheduler, QuartzPhaseRunScheduler>();
        services.AddOutboxHandler<ScheduleRun>((sp, notice, cancellationToken) =>
            sp.GetRequiredService<IPhaseRunScheduler>().ScheduleAsync(notice.RunId, cancellationToken));
        services.AddHostedService<StartupTasks>();

        // Non-clustered on one node. SQLite cannot serve a clustered store; with SQL Server or PostgreSQL the job
        // tables live in the application's database, and many nodes would add UseClustering (see README).
        services.AddQuartz(q =>
        {
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = 4);

            // Quartz abandons running jobs on shutdown unless told otherwise; cancel them instead, so that an
            // execution stops with its host and its run is left Running for start-up recovery to requeue.
            q.ConfigureScheduler(o => o.ShutdownJobInterruption = ShutdownJobInterruption.WhenNotWaitingForJobs);
            q.UsePersistentStore(store =>
            {
                switch (settings.Provider)
                {
                    case DatabaseProvider.SqlServer:
                        store.UseSqlServer(settings.ConnectionString);
                        break;
                    case DatabaseProvider.PostgreSql:
                        store.UsePostgres(settings.ConnectionString);
                        break;
                    default:
                        store.UseSqlite(JobStoreSqliteFactory.Instance, settings.JobStoreConnectionString);
                        break;
                }

                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        return services;
    }
}
