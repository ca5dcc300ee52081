"""The page's words: the Arabic for every engine code (:class:`search.errors.Code`), and the
web layer's own messages, in one place. ``tests/test_web.py`` checks that every code has one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from search.errors import Code, Notice, SearchError
from search.ingest.hijri import MONTHS as HIJRI_MONTHS
from web.formatting import arabic_date


def ltr(text: str) -> str:
    """`text` in a left-to-right isolate, so ``2020-06-22`` is not reordered inside Arabic text.

    (After Arabic letters, digits are Arabic numbers to the bidi algorithm, and a hyphen between
    them does not join them, so the parts of a date would be shown in reverse order.)
    """
    return "\u2066" + text + "\u2069"


NOTHING_TO_SEARCH = ("لا يحوي نص البحث كلمات يمكن البحث عنها: فيه علامات ترقيم أو كلمات شائعة جدًا "
                     "(مثل «في» و«من») فقط. اكتب كلمة أدق.")
EMPTY_QUERY = "اكتب كلمة أو أكثر للبحث (المعامل q)."
BAD_REQUEST = "تعذّر تنفيذ البحث كما طُلب."
NOT_FOUND = "الصفحة المطلوبة غير موجودة."
ARTICLE_NOT_FOUND = "لا يوجد في الأرشيف مقال بهذا المعرّف."
NOT_ALLOWED = "هذه الطريقة في الطلب غير مسموح بها هنا."
TOO_LARGE = "الطلب أكبر من المسموح به: لا يقبل أرشيف إلا طلبات بحث بلا محتوى مرفق."
URL_TOO_LONG = "عنوان الطلب أطول من المسموح به. اختصر نص البحث."
SERVER_ERROR = "حدث خطأ غير متوقع في الخادم. أعد المحاولة بعد قليل."
INDEX_MISSING = ("فهرس البحث غير موجود أو تالف، فلا يمكن البحث الآن. "
                 "ابنِ الفهرس بالأمر: arshif reindex")

#: The Arabic of each engine code, from the values the engine gives with it.
ARABIC: dict[Code, Callable[[dict[str, Any]], str]] = {
    Code.QUERY_TOO_LONG: lambda v: f"نص البحث طويل جدًا ({v['chars']:,} حرفًا)، والحد {v['limit']:,} حرف. "
                                   "اختصره إلى الكلمات الأهم.",
    Code.QUERY_TOO_MANY_WORDS: lambda v: f"في نص البحث كلمات كثيرة جدًا، والحد {v['limit']} كلمة.",
    Code.BAD_DATE: lambda v: f"«{ltr(str(v['value'])[:40])}» ليس تاريخًا صحيحًا: اكتبه بالشكل سنة-شهر-يوم، "
                             f"مثل {ltr('2020-06-22')}.",
    Code.BAD_HIJRI_DATE: lambda v: f"«{ltr(str(v['value'])[:40])}» ليس تاريخًا هجريًا موجودًا في تقويم أم القرى "
                                   f"(السنوات {ltr('1343')}–{ltr('1500')} هـ): تحقّق من الشهر (1–12) واليوم (29 أو 30 يومًا).",
    Code.HIJRI_YEAR_TYPED: lambda v: hijri_question(v),
    Code.DATES_REVERSED: lambda v: f"تاريخ النهاية ({arabic_date(v['end'], weekday=False)}) قبل تاريخ البداية "
                                   f"({arabic_date(v['start'], weekday=False)}). بدّل التاريخين أو صحّح أحدهما.",
    Code.BAD_SORT: lambda v: f"طريقة الترتيب «{ltr(str(v['value'])[:40])}» غير معروفة: أرسل {ltr('sort=relevance')} "
                             f"(الأكثر صلة) أو {ltr('newest')} (الأحدث) أو {ltr('oldest')} (الأقدم).",
    Code.BAD_PAGE: lambda v: "رقم الصفحة يبدأ من 1.",
    Code.BAD_LIMIT: lambda v: f"عدد النتائج في الصفحة يكون بين 1 و{v['most']}.",
    Code.TOO_DEEP: lambda v: f"لا تُعرض إلا أول {v['depth']:,} نتيجة. "
                             "ضيّق البحث بكلمة أخرى أو بتاريخ بدل الانتقال إلى صفحة بعيدة.",
    Code.BAD_FIELD: lambda v: "حقل البحث غير معروف: ابحث في العنوان (title) أو النص (body).",
    Code.UNKNOWN_SOURCE: lambda v: f"لا يوجد في الأرشيف مصدر بهذا الاسم أو المعرّف: «{v['value']}». "
                                   "اختر مصدرًا من قائمة المصادر.",
    Code.EXPORT_TOO_LARGE: lambda v: f"يُصدَّر من 1 إلى {v['most']:,} مقال في المرة الواحدة: ضيّق البحث بتاريخ أو مصدر، "
                                     "أو صدّر على دفعات.",
    Code.EMPTY_QUERY: lambda v: "اكتب كلمة أو أكثر للبحث.",
    Code.NOTHING_TO_SEARCH: lambda v: "كلمات البحث شائعة جدًا (مثل «في» و«من») أو علامات ترقيم فقط؛ "
                                      "أضف كلمة أدق.",
    Code.PHRASE_RELAXED: lambda v: "لا يحوي أي مقال العبارة كما كُتبت أو كل الكلمات المطلوبة، "
                                   "فهذه مقالات فيها بعض الكلمات.",
    Code.STOPWORDS_LEFT_OUT: lambda v: f"لم يُبحث عن كلمات شائعة جدًا لا تميّز مقالًا من آخر: {v['words']}.",
    Code.DASH_IS_PUNCTUATION: lambda v: (f"نص لا كلمات مفتاحية: عُدّت الشَّرطة قبل {v['words']} علامة ترقيم "
                                         "وبُحث عنها. لاستبعاد كلمة ابحث بكلمات أقل، أو استعمل علامتي "
                                         "التنصيص أو + مع كلماتك الأخرى."),
    Code.LONG_QUERY: lambda v: f"نص طويل: بُحث بأندر {v['kept']} كلمة فيه (وتُركت {v['left']} كلمة أخرى).",
}


def hijri_question(v: dict[str, Any]) -> str:
    """The question asked when a Hijri year is typed as a Gregorian date (1436-10-20)."""
    typed = ltr(str(v["value"])[:40])
    if v.get("gregorian") is None:
        return (f"السنة في «{typed}» سنة هجرية، لكن هذا اليوم غير موجود في التقويم الهجري. "
                f"اكتب التاريخ الميلادي (مثل {ltr('2015-08-05')}) أو تاريخًا هجريًا صحيحًا متبوعًا بـ«هـ».")
    hijri = f"{v['day']} {HIJRI_MONTHS[v['month'] - 1]} {v['year']} هـ"
    return (f"هل تقصد التاريخ الهجري {hijri} (الموافق {arabic_date(v['gregorian'], weekday=False)})؟ "
            f"اكتبه {ltr(str(v['value']) + 'هـ')} أو اختر التقويم الهجري. "
            f"وإن كنت تقصد السنة الميلادية {v['year']} فاكتب {ltr(str(v['value']) + 'م')}.")


def error(exc: SearchError) -> str:
    """An engine error in Arabic."""
    return ARABIC[exc.code](exc.values)


def notice(item: Notice) -> str:
    """An engine notice in Arabic."""
    return ARABIC[item.code](item.values)
