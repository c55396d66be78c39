using System.Linq.Expressions;
using AiStudio.Core.Common;

namespace AiStudio.Core.Audit;

/// <summary>The one translation of an <see cref="AuditFilter"/> to SQL, shared by the page and the export so they agree.</summary>
internal static class AuditFiltering
{
    // As long as the columns they search: a longer filter could match nothing.
    public const int ActorMaxLength = 256;
    public const int ActionMaxLength = 100;

    public static readonly Expression<Func<AuditEvent, AuditEntry>> ToEntry = e => new AuditEntry(
        e.Id, e.Sequence, e.OccurredAt, e.ActorId, e.ActorName, e.Action, e.EntityType, e.EntityId, e.ProjectId, e.BuildId,
        e.Before, e.After, e.Detail, e.PromptVersion, e.ModelId, e.InputTokens, e.OutputTokens, e.Cost, e.PreviousHash, e.Hash);

    public static IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> events, AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (Clean(filter.Actor) is { } actor)
        {
            events = events.Where(e => e.ActorId == actor || e.ActorName.Contains(actor));
        }

        if (filter.ProjectId is { } projectId)
        {
            events = events.Where(e => e.ProjectId == projectId);
        }

        if (filter.BuildId is { } buildId)
        {
            events = events.Where(e => e.BuildId == buildId);
        }

        // Action codes are lower case. SQLite's LIKE ignores ASCII case where PostgreSQL's does not: a filter typed in
        // capitals finds the same events on both, and its exact form too.
        if (Clean(filter.Action)?.ToLowerInvariant() is { } action)
        {
            if (action.EndsWith('*') || action.EndsWith('.'))
            {
                var prefix = action.TrimEnd('*');
                events = events.Where(e => e.Action.StartsWith(prefix));
            }
            else
            {
                events = events.Where(e => e.Action == action);
            }
        }

        if (filter.From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            events = events.Where(e => e.OccurredAt < to);
        }

        return events;
    }

    public static void Validate(AuditFilter filter, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(filter);
        TextInput.Check(errors, nameof(filter.Actor), "Actor", filter.Actor, ActorMaxLength, minLength: 0);
        TextInput.Check(errors, nameof(filter.Action), "Action", filter.Action, ActionMaxLength, minLength: 0);
        if (filter.From is { } from && filter.To is { } to && from >= to)
        {
            errors[nameof(filter.To)] = ["\"To\" must be later than \"From\"."];
        }

        if (!errors.ContainsKey(nameof(filter.Action)) && Clean(filter.Action) is { } action && action.TrimEnd('*').Length == 0)
        {
            errors[nameof(filter.Action)] = ["Give at least the start of an action, for example \"phase.\"."];
        }
    }

    public static void Validate(AuditFilter filter)
    {
        var errors = new Dictionary<string, string[]>();
        Validate(filter, errors);
        if (errors.Count > 0)
        {
            throw new InputValidationException(errors);
        }
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
