using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiStudio.Core.Persistence;

/// <summary>
/// PostgreSQL's <c>timestamptz</c> keeps whole microseconds, where .NET's clock gives tenths of one. Before a save, each
/// time an entity is about to write is cut to whole microseconds, in the entity too: what the application holds after
/// the save is exactly what a later read gives back (a comparison, a cursor or a hash of it then agrees).
/// </summary>
internal sealed class TimestampPrecision : SaveChangesInterceptor
{
    /// <summary><paramref name="time"/> cut to the whole microsecond that <c>timestamptz</c> keeps.</summary>
    internal static DateTimeOffset ToWholeMicroseconds(DateTimeOffset time) => time.AddTicks(-(time.UtcTicks % TimeSpan.TicksPerMicrosecond));

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Truncate(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Truncate(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Truncate(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                Truncate(entry);
            }
        }
    }

    private static void Truncate(EntityEntry entry)
    {
        foreach (var property in entry.Properties)
        {
            if (property.CurrentValue is DateTimeOffset time && ToWholeMicroseconds(time) is var cut && cut != time)
            {
                // Only a time that would change is set: setting an unchanged property would mark it modified.
                property.CurrentValue = cut;
            }
        }
    }
}
