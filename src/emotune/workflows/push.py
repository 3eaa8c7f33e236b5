"""``emotune push``: upload a bundle (with its model card) to a Hugging Face Hub model repository."""

from __future__ import annotations

from pathlib import Path

from emotune.bundle import read_manifest
from emotune.errors import DataError
from emotune.io_utils import write_text_atomic


def _set_license(bundle: Path, license_id: str) -> None:
    from huggingface_hub import ModelCard

    card = ModelCard.load(bundle / "README.md")
    card.data.license = license_id
    write_text_atomic(bundle / "README.md", str(card))


def run(model: str | Path, repo_id: str, private: bool = False, token: str | None = None,
        license_id: str | None = None, endpoint: str | None = None) -> str:  # fmt: skip
    """Create ``repo_id`` if needed and upload the bundle folder ``model``; returns the commit URL.

    ``license_id`` (e.g. ``apache-2.0``) is written into the card first. ``endpoint``: another Hub (a mirror),
    default ``HF_ENDPOINT`` or huggingface.co. Offline, unreachable or refused: one-line :class:`DataError`.

    >>> # run("runs/semeval/model", "me/emotune-semeval", license_id="apache-2.0")
    """
    bundle = Path(model)
    read_manifest(bundle)  # a clear error when it is not a bundle
    if not (bundle / "README.md").is_file():
        raise DataError(f"{bundle}: has no model card (README.md); bundles made before cards existed: re-save it "
                        "with EmotionClassifier.load(path).save(path)")  # fmt: skip
    if license_id:
        _set_license(bundle, license_id)
    from huggingface_hub import HfApi
    from huggingface_hub import errors as hub_errors  # its HTTPError: the base of its HTTP library's errors

    api = HfApi(endpoint=endpoint, token=token)
    where = endpoint or api.endpoint
    try:
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        commit = api.upload_folder(folder_path=str(bundle), repo_id=repo_id, repo_type="model",
                                   commit_message=f"emotune push of {bundle.resolve().name}")  # fmt: skip
    except hub_errors.HFValidationError as exc:
        raise DataError(f"--repo-id {repo_id}: {str(exc).splitlines()[0]}") from None
    except hub_errors.OfflineModeIsEnabled:
        raise DataError("HF_HUB_OFFLINE is set: unset it to push, or copy the bundle folder by hand") from None
    except hub_errors.HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", "?")
        raise DataError(f"{where} refused the push of {repo_id} (HTTP {status}); check --repo-id and your token "
                        "(hf auth login, HF_TOKEN or --token)") from None  # fmt: skip
    except (hub_errors.HTTPError, OSError) as exc:  # connection refused, DNS, timeouts
        raise DataError(f"cannot reach {where} ({type(exc).__name__}: {exc}); check the network, or copy {bundle} by "
                        "hand") from None  # fmt: skip
    return str(commit)
