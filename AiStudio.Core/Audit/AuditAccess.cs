using AiStudio.Core.Common;

namespace AiStudio.Core.Audit;

/// <summary>Someone who is not an administrator asked for the audit trail.</summary>
public sealed class AuditAccessDeniedException() : DomainException(AuditAccess.AdminsOnly);

internal static class AuditAccess
{
    public const string AdminsOnly = "Only administrators can read the audit trail.";

    public static void EnsureCanRead(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsAdmin)
        {
            throw new AuditAccessDeniedException();
        }
    }
}
