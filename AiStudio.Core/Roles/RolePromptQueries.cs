using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Roles;

public sealed record PromptUse(Guid BuildId, string BuildTitle, Phase Phase, int Attempt);

public sealed record PromptVersionDetails(PromptView Prompt, string CreatedBy, string? ChangeNote, bool IsActive, IReadOnlyList<PromptUse> UsedBy);

public interface IRolePromptQueries
{
    /// <summary>A prompt version and the attempts that ran with it, among the builds the actor may see.</summary>
    Task<PromptVersionDetails?> GetAsync(Actor actor, Guid promptId, CancellationToken cancellationToken = default);
}

internal sealed class RolePromptQueries(IDbContextFactory<AiStudioDbContext> contexts) : IRolePromptQueries
{
    public async Task<PromptVersionDetails?> GetAsync(Actor actor, Guid promptId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var prompt = await db.RolePrompts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == promptId, cancellationToken);
        if (prompt is null)
        {
            return null;
        }

        var uses = await db.PhaseRuns.AsNoTracking()
            .Where(r => r.PromptId == promptId)
            .Join(db.VisibleTo(actor), r => r.BuildId, b => b.Id, (r, b) => new { b.Id, b.Title, r.Phase, r.Attempt, r.QueuedAt })
            .OrderByDescending(x => x.QueuedAt)
            .Take(200)
            .ToListAsync(cancellationToken);

        return new PromptVersionDetails(
            new PromptView(prompt.Id, prompt.Role, prompt.Version, prompt.Text, prompt.CreatedAt),
            prompt.CreatedBy, prompt.ChangeNote, prompt.IsActive,
            uses.Select(u => new PromptUse(u.Id, u.Title, u.Phase, u.Attempt)).ToList());
    }
}
