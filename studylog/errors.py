"""Every error studylog raises on purpose.

Each message is one sentence a user can act on. The CLI turns any
`StudylogError` into that sentence on stderr and exit code 1 (see
`studylog.cli.app`); nothing else in the package prints.
"""

from __future__ import annotations


class StudylogError(Exception):
    """Base of every error studylog raises on purpose."""


class ConfigError(StudylogError):
    """`.studylog.yml` is not YAML, has an unknown key or a bad value."""


class LogNotFoundError(StudylogError):
    """No study log where one was asked for."""


class PostNotFoundError(StudylogError):
    """No post matches what the user named."""


class PostAmbiguousError(StudylogError):
    """A date names several posts, so the user must pick one by slug."""


class PostExistsError(StudylogError):
    """A post for that slug already exists."""


class SlugInvalidError(StudylogError):
    """The slug can't be used as part of a file name."""


class PathOutsideLogError(StudylogError):
    """A path would lead outside the log or its posts folder, or is not an ordinary file."""


class DateInvalidError(StudylogError):
    """A date the user gave can't be parsed."""


class TemplateNotFoundError(StudylogError):
    """No template of that name, built-in or the log's own."""


class ManualPageNotFoundError(StudylogError):
    """No page of that name in the manual (`studylog docs`)."""


class TemplateExistsError(StudylogError):
    """The log already has a template of that name; `--force` replaces it."""


class TemplateRenderError(StudylogError):
    """A template has a syntax error, an undefined variable or an unsafe access."""


class PostReadError(StudylogError):
    """A post can't be read: not a file, not UTF-8, or unreadable."""


class FrontMatterError(StudylogError):
    """A post's front matter is missing or not valid YAML."""


class PostConflictError(StudylogError):
    """A post holds git's conflict markers, so nothing may be added to it."""


class PostWriteError(StudylogError):
    """A post can't be written: the folder is read-only or the disk refused."""


class SectionNotFoundError(StudylogError):
    """No section of that key or heading, and none can be created."""


class TextInvalidError(StudylogError):
    """A value holds a control character, is not valid UTF-8, or breaks a line that must be one."""


class EntryInvalidError(StudylogError):
    """An entry's values are missing or empty."""


class EntryPlacementError(StudylogError):
    """An entry can't be placed without changing the rest of the post's structure."""


class GitError(StudylogError):
    """A git operation failed; the message says what to do."""


class OperationInProgressError(GitError):
    """A rebase, merge, cherry-pick or revert is under way, or a sync was interrupted."""


class CommitRejectedError(GitError):
    """A pre-commit or commit-msg hook rejected the commit."""


class PushRejectedError(GitError):
    """The remote refused the push; the local commits stay."""


class SyncConflictError(GitError):
    """Pulling conflicted with local commits or edits; the sync was rolled back."""


class EditorError(StudylogError):
    """No editor is set, or it failed."""


class EditorNotFoundError(EditorError):
    """No editor could be started: none set or installed, or its command can't run."""


class SearchQueryError(StudylogError):
    """The search query or a filter can't be used."""


class TeamMemberError(StudylogError):
    """A teammate named on the command line is not under `team:`, or no team is set."""


class TeamBlogError(StudylogError):
    """A teammate's blog can't be fetched, is not pulled yet, or is not a study log."""


class StudyDayError(StudylogError):
    """A date has no study-day number in the course calendar."""


class QuestionNotFoundError(StudylogError):
    """A post has no question of that number, or several."""


class ExportOptionError(StudylogError):
    """An export option that can't be used as given (a deck name with a line break)."""


class WeekInvalidError(StudylogError):
    """A week number that the course calendar or the ISO year doesn't have."""
