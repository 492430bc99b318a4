"""Pure Python core: no Textual, APScheduler, SQLModel, pydub or gTTS in here."""
