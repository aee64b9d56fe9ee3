"""JSON API for the hospital's app and website: POST /api/sehat/v1/leads."""
import json
import logging

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from ..lib.capture import InvalidEnquiry, clean_enquiry

_logger = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


def json_response(status, body):
    response = request.make_response(json.dumps(body), headers=[('Content-Type', 'application/json')])
    response.status_code = status
    return response


def error(status, message, fields=None):
    body = {'error': message}
    if fields:
        body['fields'] = fields
    return json_response(status, body)


class SehatApi(http.Controller):

    @http.route('/api/sehat/v1/leads', type='http', auth='none', methods=['POST'], csrf=False)
    def create_lead(self, **_kwargs):
        env = request.env(user=SUPERUSER_ID)
        header = request.httprequest.headers.get('Authorization') or ''
        scheme, _sep, token = header.partition(' ')
        api_token = env['sehat.api.token'].sehat_authenticate(token.strip()) if scheme.lower() == 'bearer' else None
        if not api_token:
            return error(401, 'Missing, unknown or revoked bearer token.')
        if request.httprequest.mimetype != 'application/json':
            return error(415, 'Send the enquiry as application/json.')
        data = request.httprequest.get_data()  # cached: Odoo may retry the request (concurrency)
        if len(data) > MAX_BODY:
            return error(413, 'The request body is larger than %d bytes.' % MAX_BODY)
        try:
            payload = json.loads(data.decode('utf-8'))
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            return error(400, 'The body is not valid JSON: %s' % err, {'body': 'invalid JSON'})
        Lead = env['crm.lead'].sudo(api_token.user_id.id).with_context(
            sehat_consent_source='API: %s' % api_token.name, tracking_disable=False)
        codes = set(env['sehat.symptom'].search([]).mapped('code'))
        region = env.user.company_id.country_id.code or 'IN'
        try:
            clean = clean_enquiry(payload, codes, region)
        except InvalidEnquiry as err:
            return error(400, 'The enquiry is not valid.', err.errors)
        try:
            with env.cr.savepoint():
                lead, patient, duplicate_of = Lead.sehat_capture(clean, 'api')
        except OperationalError:
            raise  # concurrency: Odoo retries the request in a new transaction
        except (ValidationError, UserError, AccessError) as err:
            return error(400, err.name if hasattr(err, 'name') else str(err))
        return json_response(201, {
            'lead_id': lead.id,
            'patient_id': patient.id,
            'urgency_band': lead.urgency_band,
            'urgency_score': lead.urgency_score,
            'red_flag': lead.red_flag,
            'duplicate_of': duplicate_of.id or None,
        })
