using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Audit;

/// <summary>
/// What to show. <see cref="Action"/> is exact, or a prefix when it ends with '.' or '*' ("phase." or "phase*");
/// <see cref="Actor"/> matches an actor id exactly or a part of the actor's name; <see cref="From"/> is inclusive
/// and <see cref="To"/> exclusive.
/// </summary>
public sealed record AuditFilter(
    string? Actor = null,
    Guid? ProjectId = null,
    Guid? BuildId = null,
    string? Action = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null)
{
    public static AuditFilter None { get; } = new();
}

/// <summary>A page of the trail, newest first: <see cref="Before"/> gives the next older page, <see cref="After"/> the next newer.</summary>
public sealed record AuditPageRequest(AuditFilter Filter, long? Before = null, long? After = null, int PageSize = AuditPageRequest.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
}

public sealed record AuditEntry(
    long Id,
    long? Sequence,
    DateTimeOffset OccurredAt,
    string ActorId,
    string ActorName,
    string Action,
    string EntityType,
    string EntityId,
    Guid? ProjectId,
    Guid? BuildId,
    string? Before,
    string? After,
    string? Detail,
    int? PromptVersion,
    string? ModelId,
    int? InputTokens,
    int? OutputTokens,
    decimal? Cost,
    string? PreviousHash,
    string? Hash);

/// <param name="Items">Newest first.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, bool HasNewer, bool HasOlder, int PageSize)
{
    /// <summary>The cursor for the next older page.</summary>
    public long? OlderCursor => HasOlder && Items.Count > 0 ? Items[^1].Id : null;

    /// <summary>The cursor for the next newer page.</summary>
    public long? NewerCursor => HasNewer && Items.Count > 0 ? Items[0].Id : null;
}

/// <summary>The audit trail for administrators; everyone else is refused here, whatever the page shows.</summary>
public interface IAuditQueries
{
    Task<AuditPage> GetPageAsync(Actor actor, AuditPageRequest request, CancellationToken cancellationToken = default);

    Task<AuditEntry?> GetAsync(Actor actor, long id, CancellationToken cancellationToken = default);
}

/// <summary>
/// Keyset paging on the id (newest first), so a page costs the same on the millionth row as on the first:
/// each filter has an index that ends in the id, and nothing is ever paged in memory.
/// </summary>
internal sealed class AuditQueries(IDbContextFactory<AiStudioDbContext> contexts) : IAuditQueries
{
    public async Task<AuditPage> GetPageAsync(Actor actor, AuditPageRequest request, CancellationToken cancellationToken = default)
    {
        AuditAccess.EnsureCanRead(actor);
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var size = request.PageSize;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var filtered = AuditFiltering.Apply(db.AuditEvents.AsNoTracking(), request.Filter);

        if (request.After is { } after)
        {
            var newer = await filtered.Where(e => e.Id > after).OrderBy(e => e.Id).Take(size + 1)
                .Select(AuditFiltering.ToEntry).ToListAsync(cancellationToken);
            if (newer.Count > size)
            {
                newer.RemoveAt(newer.Count - 1);
                newer.Reverse();
                var oldest = newer[^1].Id;
                return new AuditPage(newer, HasNewer: true, HasOlder: await filtered.AnyAsync(e => e.Id < oldest, cancellationToken), size);
            }

            // Back at the newest events: show the first page in full rather than a short one.
        }

        var query = request.Before is { } before && request.After is null ? filtered.Where(e => e.Id < before) : filtered;
        var items = await query.OrderByDescending(e => e.Id).Take(size + 1).Select(AuditFiltering.ToEntry).ToListAsync(cancellationToken);
        var hasOlder = items.Count > size;
        if (hasOlder)
        {
            items.RemoveAt(items.Count - 1);
        }

        var newest = items.Count > 0 ? items[0].Id : 0;
        var hasNewer = request.Before is not null && request.After is null && items.Count > 0
            && await filtered.AnyAsync(e => e.Id > newest, cancellationToken);
        return new AuditPage(items, hasNewer, hasOlder, size);
    }

    public async Task<AuditEntry?> GetAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        AuditAccess.EnsureCanRead(actor);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.AsNoTracking().Where(e => e.Id == id).Select(AuditFiltering.ToEntry).SingleOrDefaultAsync(cancellationToken);
    }

    private static void Validate(AuditPageRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.PageSize is < 1 or > AuditPageRequest.MaxPageSize)
        {
            errors[nameof(request.PageSize)] = [$"Page size must be between 1 and {AuditPageRequest.MaxPageSize}."];
        }

        if (request.Before is not null && request.After is not null)
        {
            errors[nameof(request.Before)] = ["Ask for the page before or after an event, not both."];
        }

        AuditFiltering.Validate(request.Filter, errors);
        if (errors.Count > 0)
        {
            throw new InputValidationException(errors);
        }
    }
}
