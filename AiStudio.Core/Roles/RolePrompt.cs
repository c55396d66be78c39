using AiStudio.Core.Common;

namespace AiStudio.Core.Roles;

/// <summary>
/// One version of a role's system prompt. Versions are never edited; a change is a new version.
/// Exactly one version of each role is active: the one new phase runs use. A unique filtered index
/// (Role where IsActive) holds that rule in the database too, so two admins cannot both win.
/// </summary>
public sealed class RolePrompt
{
    public const int TextMaxLength = 20_000;
    public const int ChangeNoteMaxLength = 1000;

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

    /// <summary>
    /// The version after <paramref name="latestVersion"/>, active. The caller deactivates the role's
    /// current version in the same transaction.
    /// </summary>
    /// <exception cref="InputValidationException">The text or the reason is missing or too long.</exception>
    public static RolePrompt NextVersion(AiRole role, int latestVersion, string? text, string? changeNote, string createdBy, DateTimeOffset now)
    {
        var errors = Validate(text, changeNote);
        if (errors.Count > 0)
        {
            throw new InputValidationException(errors);
        }

        return Create(role, latestVersion + 1, text!, createdBy, changeNote!.Trim(), now);
    }

    public static Dictionary<string, string[]> Validate(string? text, string? changeNote)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(text))
        {
            errors[nameof(Text)] = ["The system prompt must not be empty."];
        }
        else if (text.Length > TextMaxLength)
        {
            errors[nameof(Text)] = [$"The system prompt must be at most {TextMaxLength:N0} characters; it has {text.Length:N0}."];
        }
        else
        {
            TextInput.Check(errors, nameof(Text), "The system prompt", text, TextMaxLength, multiline: true);
        }

        if (string.IsNullOrWhiteSpace(changeNote))
        {
            errors[nameof(ChangeNote)] = ["Say why this change is made."];
        }
        else if (changeNote.Trim().Length > ChangeNoteMaxLength)
        {
            errors[nameof(ChangeNote)] = [$"The reason must be at most {ChangeNoteMaxLength:N0} characters."];
        }
        else
        {
            TextInput.Check(errors, nameof(ChangeNote), "The reason", changeNote, ChangeNoteMaxLength, multiline: true);
        }

        return errors;
    }

    public void Deactivate() => IsActive = false;

    public void Activate() => IsActive = true;
}
