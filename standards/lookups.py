"""An `__in` lookup on integer columns that cannot overflow the database's integer type.

Django (since 5.0) answers an exact, gt, gte, lt or lte lookup with an integer outside the
column's range without asking the database, but not `__in`: SQLite then raises OverflowError
binding an integer over 64 bits. ModelMultipleChoiceField checks every posted id with `pk__in`,
so a 30-digit id in any multiple choice (ours or the admin's) was a server error instead of
"Select a valid choice". Such a value can never match a stored row, so it is left out.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def batch_process_rhs(self, compiler, connection, rhs=None):
        if rhs is not None:
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            rhs = [
                value
                for value in rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not rhs:
                raise EmptyResultSet
        return super().batch_process_rhs(compiler, connection, rhs)
