using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiStudio.Tests.Support;

/// <summary>
/// Makes requests meet: once armed, each command that matches is held until <c>expected</c> of them have arrived, so the
/// requests go on from there at the same moment. A concurrency test uses it to be sure its requests overlapped rather
/// than ran one after another. A query is held after it ran (each request then holds what it read); a statement that
/// writes is held before it runs, so that on a server database every request's transaction is open at the same time.
/// </summary>
internal sealed class Rendezvous(int expected, Func<DbCommand, bool> matches) : DbCommandInterceptor
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource _allMet = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _armed;
    private int _arrived;

    /// <summary>How many requests were held at the meeting point; <c>expected</c> when they all overlapped.</summary>
    public int Met => Math.Min(_arrived, expected);

    public void Arm() => _armed = true;

    /// <summary>
    /// Where a new build's first quota check has counted the month's builds, outside any transaction: every start has its
    /// answer before any of them goes on to write, the race the check inside the transaction exists for.
    /// </summary>
    public static Rendezvous AtFirstQuotaCheck(int starts) => new(starts, command => command.Transaction is null
        && command.CommandText.Contains("COUNT(*)", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("\"Builds\"", StringComparison.Ordinal));

    /// <summary>Inside a transaction, just before a save whose statements include <paramref name="statement"/> (such as <c>UPDATE "Builds"</c>).</summary>
    public static Rendezvous BeforeStatement(int requests, string statement) => new(requests, command => command.Transaction is not null
        && command.CommandText.Contains(statement, StringComparison.Ordinal));

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        if (!Writes(command))
        {
            await MeetAsync(command, cancellationToken);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (Writes(command))
        {
            await MeetAsync(command, cancellationToken);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await MeetAsync(command, cancellationToken);
        return result;
    }

    // EF sends a save's statements as one reader command; a query starts with SELECT.
    private static bool Writes(DbCommand command) => !command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    private async Task MeetAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (!_armed || !matches(command))
        {
            return;
        }

        var arrived = Interlocked.Increment(ref _arrived);
        if (arrived == expected)
        {
            _allMet.SetResult();
        }

        if (arrived <= expected)
        {
            await _allMet.Task.WaitAsync(Patience, cancellationToken);
        }
    }
}
