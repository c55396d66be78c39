namespace AiStudio.Core.Roles;

/// <summary>One version of a role's system prompt. Versions are never edited; a change is a new version.</summary>
public sealed class RolePrompt
{
    private RolePrompt() { }

    public Guid Id { get; private set; }
    public AiRole Role { get; private set; }
    public int Version { get; private set; }
    public string Text { get; private set; } = "";
    public string CreatedBy { get; private set; } = "";
    public string? ChangeNote { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public bool IsActive { get; private set; }

    public static RolePrompt Create(AiRole role, int version, string text, string createdBy, string? changeNote, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        Role = role,
        Version = version,
        Text = text,
        CreatedBy = createdBy,
        ChangeNote = changeNote,
        CreatedAt = now,
        IsActive = true,
    };
}
